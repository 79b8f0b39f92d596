"""What residents' channels send to rate a knowledge answer, and what they get back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.knowledge_gaps.models import AnswerRating

# "Not helpful" is not the end: the resident hears how to go on (ask in other words, or a person).
THANKS = {
    True: "Thank you. I'm glad that helped.",
    False: (
        "Thank you for telling us. Sorry that didn't help. You can ask me again in other words, or type "
        '"talk to a person" and I\'ll ask an officer to join this chat.'
    ),
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
