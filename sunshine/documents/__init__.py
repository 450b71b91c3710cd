"""Official-style documents for every subsystem: `render_letter(Letter(...))` gives .docx, PDF."""

from .letters import (
    Block,
    Letter,
    RenderedLetter,
    render_docx,
    render_html,
    render_letter,
    render_pdf,
)

__all__ = [
    "Block",
    "Letter",
    "RenderedLetter",
    "render_docx",
    "render_html",
    "render_letter",
    "render_pdf",
]
