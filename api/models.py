"""Import every feature's tables so the metadata is complete (for Alembic and tests)."""

from api.conversations import models as conversations
from api.db import Base
from api.electoral import models as electoral
from api.knowledge_gaps import models as knowledge_gaps
from api.officers import models as officers
from api.payments import models as payments
from api.places import models as places
from api.privacy import models as privacy
from api.service_requests import models as service_requests
from api.telegram import models as telegram
from api.waste import models as waste

__all__ = [
    "Base",
    "conversations",
    "electoral",
    "knowledge_gaps",
    "officers",
    "payments",
    "places",
    "privacy",
    "service_requests",
    "telegram",
    "waste",
]
