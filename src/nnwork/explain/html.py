"""One self-contained HTML page: the tour's steps in order, images embedded as data URIs.

No file outside the page and no network address: the styles are inline, every picture is a
base64 `data:image/png` URI, and the mathematics is plain Unicode, so the page reads the same
offline, from an e-mail attachment or a USB stick.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Sequence

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.6; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.8rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.3rem; margin-top: 2.4rem; border-top: 1px solid #ddd; padding-top: 1.2rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #666; }
code { background: #f4f4f4; padding: 0 0.2rem; border-radius: 3px; }
footer { margin-top: 3rem; font-size: 0.85rem; color: #666; }
"""


def data_uri(png: str | Path) -> str:
    """The PNG file as a `data:image/png;base64,...` URI."""
    return "data:image/png;base64," + base64.b64encode(Path(png).read_bytes()).decode("ascii")


def _paragraph(text: str) -> str:
    """Escaped text, with `code` spans."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def render(title: str, intro: str, steps: Sequence[tuple[str, str, str | Path]], footer: str,
           lang: str = "en", figure_word: str = "Figure", captions: Sequence[str] = ()) -> str:
    """The page: a title, an introduction, then (heading, text, PNG file) for each step, each
    figure captioned "Figure n: caption" (「图 n：…」 with a full-width colon in Chinese)."""
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{_paragraph(intro)}</p>"]
    colon = "：" if lang == "zh" else ": "
    for number, (heading, text, png) in enumerate(steps, start=1):
        caption = captions[number - 1] if number <= len(captions) else Path(png).name
        body += [
            f'<section id="step-{number}">',
            f"<h2>{html.escape(heading)}</h2>",
            f"<p>{_paragraph(text)}</p>",
            f'<figure><img src="{data_uri(png)}" alt="{html.escape(heading, quote=True)}">'
            f"<figcaption>{html.escape(figure_word)} {number}{colon}{html.escape(caption)}</figcaption></figure>",
            "</section>",
        ]
    body.append(f"<footer>{_paragraph(footer)}</footer>")
    html_lang = "zh-CN" if lang == "zh" else lang
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
