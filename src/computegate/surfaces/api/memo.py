"""The decision memo a compliance officer files with the order. It is built from the audit row as
recorded (request and answer, not what a page sends) and the row's inclusion proof at the current
root, so the filed paper carries what the log holds and how to check it: HTML to print, or PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from computegate.regime.loader import RuleRegistry

OUTCOME = {
    "license_required": "Licence required",
    "no_license_required": "No licence required",
    "insufficient_information": "Insufficient information",
}
CHECK = (
    "To check: the leaf hash is SHA-256 of 0x00 and the row's canonical data (GET /v1/audit/{id}/receipt); "
    "the inclusion proof (RFC 9162) leads from it to the Merkle root of the tree of that size. "
    "A signed checkpoint kept outside the database (computegate audit checkpoint, then "
    "computegate audit verify --checkpoint FILE) shows the log still extends the root printed here."
)
_PACKAGE = resources.files("computegate.surfaces.api")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_PACKAGE / "templates")),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def words(value: str | None) -> str:
    return (value or "").replace("_", " ").replace("-", " ")


@dataclass(frozen=True)
class Cited:
    """A line of the memo with where the law says it."""

    text: str
    citation: str
    url: str | None
    title: str = ""  # the rule's title from the registry (findings only)
    rule: str = ""
    mark: str = ""  # a condition's certification: certified, cannot certify, not stated


@dataclass(frozen=True)
class Memo:
    audit_id: int
    recorded_at: str
    key_label: str
    software_version: str
    summary: str
    outcome: str
    outcome_text: str
    item: str
    regime_date: str
    overlays: list[str]
    reasons: list[Cited]
    conditions: list[Cited]
    questions: list[str]
    alternatives: list[str]
    receipt: dict[str, Any]

    @property
    def filename(self) -> str:
        return f"decision-memo-{self.audit_id}"


def _cited(c: dict[str, Any] | None) -> tuple[str, str | None]:
    c = c or {}
    text = "; ".join(p for p in (c.get("cfr"), c.get("document")) if p) or c.get("url") or ""
    url = c.get("url")
    return text, url if isinstance(url, str) and url.startswith("https://") else None


def summary(req: dict[str, Any]) -> str:
    """The request in one line, as the page says it."""
    if req.get("kind") == "remote_access":
        acc = (req.get("accelerators") or [{}])[0]
        customer = req.get("customer") or {}
        return (
            f"remote access to {acc.get('count', '')} × {acc.get('item', '')} in "
            f"{req.get('datacenter_country', '?')} for {customer.get('name', 'a customer')} "
            f"({customer.get('country', '?')}) on {req.get('date')}"
        )
    user = req.get("end_user") or {}
    return (
        f"{req.get('kind')} of {req.get('quantity', 1)} × {req.get('item')} from "
        f"{req.get('from_country') or 'US'} to {req.get('to_country')} for "
        f"{user.get('name', 'an unnamed end user')} on {req.get('date')}"
    )


def _policy(d: dict[str, Any]) -> str:
    text = OUTCOME.get(d.get("outcome", ""), words(d.get("outcome")))
    return text + (f", {words(d['review_policy'])}" if d.get("review_policy") else "")


def build(row: dict[str, Any], receipt: dict[str, Any], rules: RuleRegistry) -> Memo:
    """The memo of a recorded decision (an audit row of kind "decide")."""
    req, d = row["request"], row["response"]
    certified = req.get("certifications") or {}
    reasons = []
    for f in d.get("findings", []):
        if f.get("role") != "decisive":
            continue
        entry = rules.get(f["rule"])
        reasons.append(
            Cited(f["text"], *_cited(f.get("citation")), entry.title if entry else "", f["rule"])
        )
    marks: dict[Any, str] = {True: "certified", False: "cannot certify"}
    conditions = [
        Cited(
            c["text"],
            *_cited(c.get("citation")),
            mark=marks.get(certified.get(c["id"]), "not stated"),
        )
        for c in d.get("conditions", [])
    ]
    item = d.get("item") or {}
    eccn = item.get("eccn_paragraph") or item.get("eccn") or words(item.get("eccn_status"))
    return Memo(
        audit_id=int(row["id"]),
        recorded_at=str(row["created_at"]),
        key_label=str(row.get("key_label") or ""),
        software_version=str(row["software_version"]),
        summary=(line := summary(req))[:1].upper() + line[1:],
        outcome=str(d.get("outcome", "")),
        outcome_text=_policy(d),
        item=f"{item.get('name', req.get('item', ''))} ({eccn})",
        regime_date=str((d.get("regime") or {}).get("date", row.get("regime_date", ""))),
        overlays=list(row.get("overlays") or []),
        reasons=reasons,
        conditions=conditions,
        questions=[m["question"] for m in d.get("missing_facts", [])],
        alternatives=[
            f"Under {words(a.get('reading'))}: {_policy(a)}." for a in d.get("alternatives") or []
        ],
        receipt=receipt,
    )


def html(memo: Memo) -> str:
    """A standalone, print-styled page (the web app shows its <article> and downloads it whole)."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return _TEMPLATES.get_template("memo.html").render(memo=memo, prepared=today, check=CHECK)


def pdf(memo: Memo) -> bytes:
    """The same memo as PDF (fpdf2): DejaVu Sans, with Droid Sans Fallback for CJK names."""
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

    fonts = Path(str(_PACKAGE / "fonts"))
    doc = FPDF(format="letter")
    doc.set_title(f"Decision memo, audit row {memo.audit_id}")
    doc.set_creator(f"computegate {memo.software_version}")
    doc.add_font("DejaVu", "", fonts / "DejaVuSans.ttf")
    doc.add_font("DejaVu", "B", fonts / "DejaVuSans-Bold.ttf")
    # the CJK fallback takes a second to load: only when the memo has characters DejaVu lacks
    dejavu = doc.fonts["dejavu"]
    if not isinstance(dejavu, TTFFont) or set(repr(asdict(memo))) - set(map(chr, dejavu.cmap)):
        doc.add_font("Droid", "", fonts / "DroidSansFallback.ttf")
        doc.set_fallback_fonts(["Droid"], exact_match=False)
    doc.set_margins(18, 16, 18)
    doc.add_page()

    def para(text: str, size: float = 10, style: str = "", link: str | None = None) -> None:
        doc.set_font("DejaVu", style, size)
        if link:
            doc.set_text_color(20, 60, 160)
        doc.multi_cell(
            0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT", link=link or ""
        )
        doc.set_text_color(0, 0, 0)

    def heading(text: str) -> None:
        doc.ln(2)
        para(text, 12, "B")
        doc.ln(1)

    def cited(n: int, c: Cited) -> None:
        head = f"{n}. {c.title}" if c.title else f"{n}. {c.text}"
        para(head + (f" [{c.mark}]" if c.mark else ""), 10, "B" if c.title else "")
        if c.title:
            para(c.text)
        if c.citation:
            para(c.citation + (f"  (rule {c.rule})" if c.rule else ""), 8, link=c.url)
        doc.ln(1)

    para("Decision memo", 16, "B")
    para(
        f"Prepared {dt.datetime.now(dt.UTC).date().isoformat()} by computegate from audit row {memo.audit_id}, recorded {memo.recorded_at} (key {memo.key_label}).",
        8,
    )
    doc.ln(2)
    para(memo.summary)
    para(memo.outcome_text, 14, "B")
    para(
        f"Item: {memo.item}; regime of {memo.regime_date}"
        + (f"; overlays: {', '.join(memo.overlays)}" if memo.overlays else "")
        + "."
    )
    heading("Reasons")
    for n, reason in enumerate(memo.reasons, start=1):
        cited(n, reason)
    if memo.conditions:
        heading("Conditions the exporter must certify")
        for n, cond in enumerate(memo.conditions, start=1):
            cited(n, cond)
    if memo.questions:
        heading("Open questions")
        for q in memo.questions:
            para("• " + q)
    if memo.alternatives:
        heading("Other readings")
        for a in memo.alternatives:
            para(a)
    heading("Audit receipt")
    r = memo.receipt
    for label, value in (
        ("Audit row", str(memo.audit_id)),
        ("Leaf index", f"{r['leaf_index']} of a tree of {r['tree_size']}"),
        ("Merkle root", r["root_hash"]),
        ("Leaf hash", r["leaf_hash"]),
        ("Inclusion proof", "\n".join(r["inclusion_proof"]) or "(none: the row is the only leaf)"),
    ):
        para(label, 9, "B")
        para(value, 8)
    doc.ln(2)
    para(CHECK, 8)
    return bytes(doc.output())
