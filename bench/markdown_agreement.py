"""Which Markdown library renders our content like the blog's kramdown: disagreements per library.

    .venv/bin/python bench/markdown_agreement.py [--posts N] [--seed S] [--verbose]

Every field of digests/tests/markdown_corpus.py (the CASES, then every title, summary and
insight of the generated posts) is written as the exporter writes it into one page each, built
by Debian's jekyll in one run (kramdown, GFM input, the blog's configuration), and rendered by
each candidate the way our site would call it: blocks for summaries, inline for titles and
insights (wrapped in <h3> and <li> as the blog's page has them). A field disagrees when its
visible text, list items, code spans or links differ from kramdown's. All output goes through
the same nh3 sanitizer. --verbose prints each disagreement.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def fields(count, seed):
    """(construct, kind, field) for every case and every field of the generated posts."""
    from digests.tests.markdown_corpus import CASES, posts

    out = list(CASES)
    for post in posts(count, seed):
        for item in post.items:
            out.append(("corpus title", "title", item.title))
            out.append(("corpus summary", "summary", item.summary))
            out += [("corpus insight", "insight", (i.label, i.text)) for i in item.insights]
        if post.footer is not None:
            out.append(("corpus footer", "footer", post.footer))
    return out


def kramdown_input(kind, value):
    from digests import jekyll

    if kind == "summary":
        return jekyll.markdown_block(value)
    if kind == "title":
        return "### " + jekyll.markdown_inline(value)
    if kind == "footer":
        return "> " + jekyll.markdown_footer(value).replace("\n", "\n> ")
    return "-   " + jekyll.markdown_insight(*value)


def build_with_jekyll(inputs):
    """The HTML kramdown makes of each input, from one `jekyll build`."""
    site = Path(tempfile.mkdtemp(prefix="md-agreement-"))
    try:
        (site / "_config.yml").write_text("title: agreement\n", encoding="utf-8")
        pages = site / "cases"
        pages.mkdir()
        for n, text in enumerate(inputs):
            # No Liquid: the inputs are the Markdown layer, without the Liquid layer on top.
            (pages / f"{n:05d}.md").write_text(f"---\nrender_with_liquid: false\n---\n{text}\n", encoding="utf-8")
        started = time.monotonic()
        result = subprocess.run(["jekyll", "build", "-q", "-s", str(site), "-d", str(site / "_site")],
                                capture_output=True, text=True, timeout=600)
        if result.returncode:
            sys.exit(f"jekyll build failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        step(f"jekyll built {len(inputs)} pages in {time.monotonic() - started:.1f} s")
        return [(site / "_site" / "cases" / f"{n:05d}.html").read_text(encoding="utf-8") for n in range(len(inputs))]
    finally:
        shutil.rmtree(site, ignore_errors=True)


def candidates():
    """name -> function(kind, field) returning HTML as our site would show that field."""
    import markdown as python_markdown
    import mistune
    from markdown_it import MarkdownIt

    from digests import jekyll
    from digests import markdown as ours

    def strip_p(html):
        html = html.strip()
        return html[3:-4] if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1 else html

    def library(block, inline):
        def render(kind, value):
            if kind == "summary":
                return str(ours.clean(block(jekyll.markdown_block(value))))
            if kind == "title":
                return "<h3>" + str(ours.clean(inline(jekyll.markdown_inline(value)))) + "</h3>"
            if kind == "footer":
                return "<blockquote>" + str(ours.clean(inline(jekyll.markdown_footer(value)))) + "</blockquote>"
            return "<ul><li>" + str(ours.clean(inline(jekyll.markdown_insight(*value)))) + "</li></ul>"

        return render

    def our_renderer(kind, value):
        if kind == "summary":
            return str(ours.render(value))
        if kind == "title":
            return f"<h3>{ours.render_inline(value)}</h3>"
        if kind == "footer":
            return f"<blockquote>{ours.render_footer(value)}</blockquote>"
        return f"<ul><li>{ours.render_insight(*value)}</li></ul>"

    commonmark = MarkdownIt("commonmark", {"typographer": True, "html": False}).enable(["replacements", "smartquotes"])
    mistune_md = mistune.create_markdown(escape=True, plugins=["strikethrough"])
    old_site = ["extra", "sane_lists"]

    def pymd(extensions):
        return lambda text: python_markdown.markdown(text, extensions=extensions)

    return {
        "markdown-it-py, set up like kramdown (digests/markdown.py)": our_renderer,
        "markdown-it-py, commonmark + typographer": library(commonmark.render, commonmark.renderInline),
        "mistune 3": library(mistune_md, lambda text: strip_p(mistune_md(text))),
        "Python-Markdown extra + sane_lists (the site before)": library(pymd(old_site), lambda t: strip_p(pymd(old_site)(t))),
        "Python-Markdown extra + sane_lists + smarty": library(
            pymd(old_site + ["smarty"]), lambda t: strip_p(pymd(old_site + ["smarty"])(t))
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=24, help="generated posts besides the cases (default 24)")
    parser.add_argument("--seed", type=int, default=9, help="the corpus's seed (default 9, the tests')")
    parser.add_argument("--verbose", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    if not shutil.which("jekyll"):
        sys.exit("Debian's jekyll is not installed: apt-get install jekyll, then run this again.")
    import django

    django.setup()
    from digests.tests.markdown_corpus import Features

    cases = fields(args.posts, args.seed)
    step(f"{len(cases)} fields; building them with jekyll")
    expected = [Features.of(html) for html in build_with_jekyll([kramdown_input(k, v) for _, k, v in cases])]
    print(f"{len(cases)} fields ({sum(1 for c in cases if not c[0].startswith('corpus'))} cases, the rest from the corpus)")
    print(f"{'library':62} {'fields':>6} {'text':>5} {'lists':>5} {'code':>5} {'links':>5}")
    for name, render in candidates().items():
        wrong, by_feature = 0, Counter()
        for (construct, kind, value), want in zip(cases, expected):
            got = Features.of(render(kind, value))
            differs = [feature for feature in want if got[feature] != want[feature]]
            if differs:
                wrong += 1
                by_feature.update(differs)
                if args.verbose:
                    print(f"  [{name[:20]}] {construct}: {json.dumps(value, ensure_ascii=False)}")
                    for feature in differs:
                        print(f"      {feature}: kramdown {want[feature]!r}\n      {' ' * len(feature)}  ours {got[feature]!r}")
        print(f"{name:62} {wrong:>6} {by_feature['text']:>5} {by_feature['list items']:>5} "
              f"{by_feature['code spans']:>5} {by_feature['links']:>5}")


if __name__ == "__main__":
    main()
