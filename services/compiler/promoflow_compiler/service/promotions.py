"""Authoring use cases: create, update, activate, deactivate, delete, read promotions.

Each call is one transaction: the promotion row, its refs, the audit row and, when the
promotion is (or becomes) active, the new version, the publication row and the outbox row
commit together or not at all. Rules: a save runs the validator (errors block it, warnings
come back); an update of an active promotion republishes it (a new version only when the
compiled document changed); activation publishes at once, even before ``start_date`` (see
:mod:`promoflow_compiler.domain.schedule`), and is refused for a promotion that has already
ended; deactivation and deletion withdraw it (tombstone). Deletion is soft: the row and its
versions stay for the audit trail, the code becomes free again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.audit import audit, diff
from promoflow_compiler.adapters.orm import PromotionRow
from promoflow_compiler.adapters.repository import (
    active_promotions,
    get_promotion,
    load_master,
    products_of_specs,
    replace_refs,
    spec_of,
)
from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.validation import ValidationReport, validate_promotion
from promoflow_compiler.exceptions import Conflict, InvalidInput, NotFound
from promoflow_compiler.schemas.common import Page
from promoflow_compiler.schemas.promotions import PromotionCreate, PromotionOut, PromotionVersionOut
from promoflow_compiler.service.actor import Actor
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.promotion_views import (
    PromotionFilters,
    list_promotions,
    list_versions,
    promotion_view,
)
from promoflow_compiler.service.publication import ended, reconcile


def apply_spec(row: PromotionRow, spec: PromotionSpec) -> None:
    """Copy the spec and the columns derived from it onto ``row``."""
    row.company_id = spec.company_id
    row.brand_id = spec.brand_id
    row.code = spec.code
    row.name = spec.name
    row.promo_type = spec.effective_type.value
    row.execution_stage = spec.effective_stage.value
    row.execution_priority = spec.execution_priority
    row.start_date = spec.validity.start_date
    row.end_date = spec.validity.end_date
    row.is_auto_apply = spec.is_auto_apply
    row.require_voucher = spec.require_voucher
    row.is_stackable = spec.is_stackable
    row.member_only = spec.targeting.member_only or bool(spec.targeting.member_tiers)
    row.is_cross_brand = spec.cross_brand is not None and spec.cross_brand.enabled
    row.spec = spec.model_dump(mode="json")


class PromotionService:
    """Authoring of promotions (see the module docstring for the rules)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _today_at_ho(self, master: MasterData, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(master.company.timezone))

    def _check(
        self, session: Session, spec: PromotionSpec, promotion_id: uuid.UUID | None
    ) -> tuple[ValidationReport, MasterData]:
        others = active_promotions(
            session, spec.company_id, spec.validity.start_date, spec.validity.end_date
        )
        try:
            master = load_master(
                session, spec.company_id, products_of_specs([spec, *(o.spec for o in others)])
            )
        except NotFound as exc:
            raise InvalidInput.single("company_id", "unknown_reference", str(exc)) from exc
        today = self._today_at_ho(master, self.ctx.clock()).date()
        report = validate_promotion(
            spec, master, others=others, today=today, promotion_id=promotion_id
        )
        if not report.ok:
            raise InvalidInput(report.errors, report.warnings)
        return report, master

    def _code_is_free(self, session: Session, spec: PromotionSpec, own: uuid.UUID | None) -> None:
        clash = session.scalars(
            select(PromotionRow.id).where(
                PromotionRow.company_id == spec.company_id,
                func.lower(PromotionRow.code) == spec.code.lower(),
                PromotionRow.status != "deleted",
            )
        ).first()
        if clash is not None and clash != own:
            raise Conflict("code", f"code {spec.code!r} is already used by promotion {clash}")

    def validate(
        self, spec: PromotionSpec, promotion_id: uuid.UUID | None = None
    ) -> ValidationReport:
        """Run the validator without saving (errors are returned, not raised)."""
        with self.ctx.sessions() as session:
            try:
                report, _ = self._check(session, spec, promotion_id)
            except InvalidInput as exc:
                return ValidationReport(exc.errors, exc.warnings)
            return report

    def _activate(
        self, session: Session, row: PromotionRow, master: MasterData, actor: Actor
    ) -> None:
        if ended(row, master, self.ctx.clock()):
            raise InvalidInput.single(
                "validity.end_date", "ended", f"the promotion ended on {row.end_date}"
            )
        previous = row.status
        row.status = "active"
        reconcile(session, self.ctx, row, master, actor)
        audit(session, actor, "activate", "promotion", row.id, {"status": [previous, "active"]})

    def create(self, body: PromotionCreate, actor: Actor) -> PromotionOut:
        """Save a new promotion (draft, or active and published with ``activate``)."""
        spec = PromotionSpec.model_validate(body.model_dump(exclude={"activate"}))
        with self.ctx.sessions.begin() as session:
            self._code_is_free(session, spec, None)
            report, master = self._check(session, spec, None)
            row = PromotionRow(id=uuid.uuid4(), status="draft", current_version=0, limit_state={})
            apply_spec(row, spec)
            session.add(row)
            session.flush()
            replace_refs(session, row.id, spec)
            audit(session, actor, "create", "promotion", row.id, diff(None, row.spec))
            if body.activate:
                self._activate(session, row, master, actor)
            session.flush()
            return promotion_view(session, row, report.warnings)

    def update(self, promotion_id: uuid.UUID, spec: PromotionSpec, actor: Actor) -> PromotionOut:
        """Replace the spec; an active promotion is recompiled and republished if it changed."""
        with self.ctx.sessions.begin() as session:
            row = get_promotion(session, promotion_id, lock=True)
            if spec.company_id != row.company_id:
                raise InvalidInput.single(
                    "company_id", "immutable", "a promotion cannot move to another company"
                )
            self._code_is_free(session, spec, row.id)
            report, master = self._check(session, spec, row.id)
            before = dict(row.spec)
            apply_spec(row, spec)
            replace_refs(session, row.id, spec)
            audit(session, actor, "update", "promotion", row.id, diff(before, row.spec))
            if row.status == "active":
                reconcile(session, self.ctx, row, master, actor)
            session.flush()
            return promotion_view(session, row, report.warnings)

    def _locked_with_master(
        self, session: Session, promotion_id: uuid.UUID
    ) -> tuple[PromotionRow, MasterData]:
        row = get_promotion(session, promotion_id, lock=True)
        spec = spec_of(row)
        return row, load_master(session, row.company_id, products_of_specs([spec]))

    def activate(self, promotion_id: uuid.UUID, actor: Actor) -> PromotionOut:
        """Activate and publish (validates again: master data may have changed)."""
        with self.ctx.sessions.begin() as session:
            row = get_promotion(session, promotion_id, lock=True)
            report, master = self._check(session, spec_of(row), row.id)
            self._activate(session, row, master, actor)
            session.flush()
            return promotion_view(session, row, report.warnings)

    def deactivate(self, promotion_id: uuid.UUID, actor: Actor) -> PromotionOut:
        """Deactivate; a published promotion is withdrawn (tombstone, reason deactivated)."""
        with self.ctx.sessions.begin() as session:
            row, master = self._locked_with_master(session, promotion_id)
            previous = row.status
            row.status = "inactive"
            reconcile(session, self.ctx, row, master, actor)
            audit(
                session,
                actor,
                "deactivate",
                "promotion",
                row.id,
                {"status": [previous, "inactive"]},
            )
            session.flush()
            return promotion_view(session, row, ())

    def delete(self, promotion_id: uuid.UUID, actor: Actor) -> None:
        """Soft-delete; a published promotion is withdrawn (tombstone, reason deleted)."""
        with self.ctx.sessions.begin() as session:
            row, master = self._locked_with_master(session, promotion_id)
            previous = row.status
            row.status = "deleted"
            row.deleted_at = self.ctx.clock()
            reconcile(session, self.ctx, row, master, actor)
            replace_refs(session, row.id, None)
            audit(session, actor, "delete", "promotion", row.id, {"status": [previous, "deleted"]})

    def get(self, promotion_id: uuid.UUID) -> PromotionOut:
        """One promotion (not deleted)."""
        with self.ctx.sessions() as session:
            return promotion_view(session, get_promotion(session, promotion_id), ())

    def search(self, filters: PromotionFilters) -> Page[PromotionOut]:
        """A page of promotions matching ``filters``."""
        with self.ctx.sessions() as session:
            return list_promotions(session, filters)

    def versions(self, promotion_id: uuid.UUID) -> list[PromotionVersionOut]:
        """Every version of a promotion, newest first."""
        with self.ctx.sessions() as session:
            return list_versions(session, promotion_id)
