"""The supervisors' knowledge-gaps page: what residents asked that the assistant could not answer well.

It lists the recorded questions grouped by similarity (api/knowledge_gaps/grouping.py) with counts, a few
example questions, how the assistant fell short and which articles it gave, and each article's helpful and
not-helpful ratings, so the council knows which article to write or mend next. Both tables download as CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from api.console.pages import PAGE_HEADERS, page, refusal
from api.console.sessions import Signed, SignedIn
from api.db import utcnow
from api.deps import SessionDep
from api.knowledge_gaps.grouping import KIND_NAMES, article_ratings, gap_groups

# Included in the protected console router (router.py), which requires a signed-in officer for every route.
router = APIRouter()
SUPERVISORS_ONLY = "The knowledge gaps are for supervisors."
PERIODS = (7, 30, 90)
Days = Annotated[int, Query(ge=1, le=366)]
Order = Annotated[Literal["newest", "count"], Query()]
# A spreadsheet runs a cell that starts with one of these as a formula: residents' words must never be one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _refuse_non_supervisor(request: Request, signed: SignedIn) -> Response | None:
    if signed.officer.role != "supervisor":
        return refusal(request, signed, SUPERVISORS_ONLY, status.HTTP_403_FORBIDDEN)
    return None


@router.get("/gaps", response_class=HTMLResponse, response_model=None)
def gaps_page(
    request: Request, signed: Signed, session: SessionDep, days: Days = 30, order: Order = "newest"
) -> Response:
    """Show the questions the assistant could not answer, grouped, and the answers residents rated."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    since = utcnow() - timedelta(days=days)
    groups = gap_groups(session, since=since, order=order)
    context = {
        "groups": groups,
        "ratings": article_ratings(session, since=since, order=order),
        "days": days,
        "order": order,
        "periods": PERIODS,
        "kind_names": KIND_NAMES,
        "questions": sum(group.count for group in groups),
    }
    return page(request, "gaps.html", context, signed=signed)


@router.get("/gaps.csv", response_model=None)
def gaps_csv(
    request: Request,
    signed: Signed,
    session: SessionDep,
    days: Days = 30,
    order: Order = "newest",
    table: Annotated[Literal["questions", "articles"], Query()] = "questions",
) -> Response:
    """Download the grouped questions (or the articles' ratings) as CSV, as the page shows them."""
    if refused := _refuse_non_supervisor(request, signed):
        return refused
    since = utcnow() - timedelta(days=days)
    rows: list[list[object]]
    if table == "articles":
        rows = [["article", "not helpful", "helpful", "last rated (UTC)"]]
        rows += [
            [r.article, r.not_helpful, r.helpful, f"{r.last_rated:%Y-%m-%d %H:%M}"]
            for r in article_ratings(session, since=since, order=order)
        ]
    else:
        rows = [["last asked (UTC)", "times asked", *KIND_NAMES.values(), "articles given", "example questions"]]
        rows += [
            [
                f"{g.last_asked:%Y-%m-%d %H:%M}",
                g.count,
                *(g.kinds[kind] for kind in KIND_NAMES),
                "; ".join(g.articles),
                " | ".join(g.examples),
            ]
            for g in gap_groups(session, since=since, order=order)
        ]
    headers = {**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="knowledge-gaps-{table}-{days}-days.csv"'}
    return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


def to_csv(rows: list[list[object]]) -> str:
    """Write rows as CSV; a cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            [f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell for cell in row]
        )
    return buffer.getvalue()
