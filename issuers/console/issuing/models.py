"""A cohort file a staff member uploaded to the console and is previewing: kept until they confirm it,
so the preview and the job read the very same bytes (never uploaded twice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_id


class CohortUpload(Base):
    __tablename__ = "cohort_upload"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The job confirming made (set once: a second confirmation finds it and makes no other).
    bulk_job_id: Mapped[str | None] = mapped_column(ForeignKey("bulk_job.id", ondelete="SET NULL"))
