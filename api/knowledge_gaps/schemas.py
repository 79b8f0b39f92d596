"""What residents' channels send to rate a knowledge answer, and what they get back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.knowledge_gaps.models import AnswerRating

THANKS = {
    True: "Thank you. I'm glad that helped.",
    False: "Thank you for telling us. We'll use this to improve our answers.",
}


class AnswerRatingCreate(BaseModel):
    """Whether the answer helped."""

    helpful: bool


class AnswerRatingRead(BaseModel):
    """The rating as recorded, and a sentence to show the resident."""

    message_id: int
    helpful: bool
    thanks: str = Field(description="A short thank-you to show beside the answer")

    @classmethod
    def of(cls, rating: AnswerRating) -> AnswerRatingRead:
        """Describe a recorded rating."""
        return cls(message_id=rating.message_id, helpful=rating.helpful, thanks=THANKS[rating.helpful])
