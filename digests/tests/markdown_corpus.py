"""Text covering every construct of the content model (digests/jekyll.py), and what to compare of its HTML.

CASES are single fields, one construct or trap each; posts() builds whole posts from the same
pieces, seeded so that every run sees the same corpus.
"""
import random
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from digests.jekyll import Insight, Item, Post, Source

SEOUL = ZoneInfo("Asia/Seoul")

# (construct, kind, text): kind "summary" is a Markdown block, "title", "insight" and "footer" inline.
CASES = [
    ("paragraph", "summary", "엔비디아가 새 GPU를 발표했습니다. 가격은 지난 세대와 같습니다."),
    ("paragraphs", "summary", "첫 문단입니다.\n\n둘째 문단입니다."),
    ("soft break", "summary", "첫 줄입니다.\n둘째 줄입니다."),
    ("hard break", "summary", "첫 줄입니다.  \n둘째 줄입니다."),
    ("hard break, bullet lines", "summary", "- 첫째 항목입니다.  \n- 둘째 항목입니다.  \n- 셋째 항목입니다."),
    ("bullet list", "summary", "- 첫째\n- 둘째\n- 셋째"),
    ("* bullets", "summary", "* 별표 하나\n* 별표 둘"),
    ("+ bullets", "summary", "+ 더하기 하나\n+ 더하기 둘"),
    ("list right after a line", "summary", "주요 내용은 다음과 같습니다.\n- 가격 인하\n- 출시 앞당김"),
    ("* list right after a line", "summary", "변경 사항:\n* `pnpm install`이 빨라졌습니다.\n* 설정 파일을 새로 읽습니다."),
    ("numbered list", "summary", "1. 첫째\n2. 둘째\n3. 셋째"),
    ("numbered list right after a line", "summary", "순서는 이렇습니다.\n1. 발표\n2. 출시"),
    ("numbered list not at 1 after a line", "summary", "이어서 봅니다.\n3. 셋째\n4. 넷째"),
    ("numbered list not at 1", "summary", "3. 셋째\n4. 넷째"),
    ("loose list", "summary", "- 하나\n\n- 둘"),
    ("list then paragraph", "summary", "- 하나\n- 둘\n\n목록 뒤 문단입니다."),
    ("list with a lazy line", "summary", "- 하나는\n이어지는 줄\n- 둘"),
    ("mixed list markers", "summary", "- 하이픈\n* 별표\n+ 더하기"),
    ("numbered list right after a bullet list", "summary", "- 하나\n- 둘\n1. 셋\n2. 넷"),
    ("bullet list right after a numbered list", "summary", "1. 하나\n이어지는 줄\n- 둘"),
    ("nested list written by indent", "summary", "- 바깥\n  - 안쪽\n- 다시 바깥"),
    ("indented line (code block by accident)", "summary", "    네 칸 들여쓴 줄입니다.\n    둘째 줄입니다."),
    ("code span at line start", "summary", "`pnpm`은 빠른 패키지 관리자입니다."),
    ("code spans", "summary", "`npm`과 `yarn`, ``a`b`` 그리고 `{{ x }}`."),
    ("code span with markup inside", "summary", "`**굵게 아님**`과 `<b>`와 `a|b`."),
    ("emphasis", "summary", "*기울임*과 **굵게**, _밑줄 기울임_과 __밑줄 굵게__."),
    ("strong next to Korean", "summary", '이른바 **"AI 혁신"**이라는 말과 **\'맥락 지갑\'**이라는 개념.'),
    ("strong inside a word", "summary", "한**굵게**한 그리고 a*b*c 그리고 snake_case_name."),
    ("link", "summary", "자세한 내용은 [발표문](https://example.com/a?x=1&y=2)을 보세요."),
    ("link with parentheses", "summary", "[위키](https://ko.wikipedia.org/wiki/A_(B))를 보세요."),
    ("link with Korean path", "summary", "[문서](https://example.com/문서/가나다)를 보세요."),
    ("link at line start", "summary", "[원문 발표](https://example.com/p)에서 자세히 볼 수 있습니다."),
    ("double quotes", "summary", '그는 "AI는 도구"라고 말했습니다. "에고(Ego)"에 연결합니다.'),
    ("single quotes", "summary", "'맥락 지갑'이라는 개념과 don't, '90s, rock'n'roll."),
    ("quotes next to Korean", "summary", '한국"AI"라는 말과 한국\'AI\'라는 말.'),
    ("quotes and punctuation", "summary", '("괄호") "끝." \'쉼표\', "물음?"'),
    ("quote around emphasis", "summary", '"*기울임*" 그리고 \'**굵게**\' 그리고 "`code`"'),
    ("ellipsis and dashes", "summary", "그리고... 2026--2027년 -- 또는 --- 이렇게."),
    ("guillemets", "summary", "<<책 제목>> 그리고 << 띄운 >> 기호."),
    ("entities", "summary", "AT&T; &amp; &lt;b&gt; &copy; &#169; &#x1F600; 그리고 &nbsp;끝."),
    ("backslash escapes", "summary", "\\*별표\\* \\_밑줄\\_ \\# \\& \\@ C:\\\\path"),
    ("hash at line start", "summary", "#MeToo 운동은 계속됩니다.\n# 해시로 시작하는 줄"),
    ("quote line", "summary", "> 인용처럼 보이는 줄"),
    ("rule lines", "summary", "가운데 줄\n---\n***\n___"),
    ("setext underline", "summary", "제목처럼\n===="),
    ("table", "summary", "이름 | 값\n--- | ---\n가 | 나"),
    ("pipe in text", "summary", "삼성 | 애플 | 구글"),
    ("html", "summary", "텍스트 <b>굵게</b> <br> 줄 <!-- 주석 --> 끝"),
    ("autolink", "summary", "<https://example.com> 그리고 <a@b.co>"),
    ("image", "summary", "![그림](https://example.com/x.png) 설명"),
    ("attribute list", "summary", "**x**{: .cls} 그리고 {:.class} 그리고\n{: #id}"),
    ("math", "summary", "$$x^2$$ 그리고 $5 가격"),
    ("strikethrough", "summary", "~~취소~~ 그리고 ~물결~"),
    ("definition list", "summary", "용어\n: 정의"),
    ("link definition", "summary", "[참조]: https://example.com\n[참조]를 봅니다."),
    ("footnote", "summary", "주석[^1]이 있습니다.\n\n[^1]: 주석 내용"),
    ("task list", "summary", "- [ ] 할 일\n- [x] 한 일"),
    ("fence", "summary", "```\n코드 블록\n```"),
    ("liquid", "summary", "{{ site.title }} 그리고 {% raw %} 그리고 `{{ x }}`"),
    ("section header look-alike", "summary", "**📌 요약**\n**💡 시사점**"),
    ("link line look-alike", "summary", "**[🔗 원문 기사 보기](https://example.com/x)**"),
    ("br line", "summary", "첫 문단\n<br>\n둘째 문단"),
    ("payload: image attribute", "summary", '![i](https://x.invalid/x.png){: onerror="alert(1)"}'),
    ("payload: span attribute", "summary", '**x**{: tabindex="0" autofocus="" onfocus="alert(1)"}'),
    ("payload: link attribute", "summary", '[l](https://ok.example){: onclick="alert(1)"}'),
    ("payload: tab in scheme", "summary", "[t](java&#9;script:alert(1))"),
    ("payload: colon entity", "summary", "[c](javascript&colon;alert(1))"),
    ("payload: unclosed tag", "summary", "x <img src=x onerror=alert(1)//"),
    ("title: plain", "title", "엔비디아, 새 GPU 공개"),
    ("title: hash at start", "title", "#MeToo 이후 10년"),
    ("title: hash inside and at the end", "title", "C# 10과 F# 그리고 C#"),
    ("title: number at start", "title", "1. CES 2026: 삼성 & LG; 새 TV"),
    ("title: narrow no-break spaces", "title", "RTX\u202f5090\u202f출시"),
    ("title: entity", "title", "AT&amp;T와 &lt;태그&gt;"),
    ("title: quotes", "title", '"AI"의 시대, \'정렬\' 문제'),
    ("title: emphasis and code", "title", "**굵은** 제목과 `code`"),
    ("title: link", "title", "[링크](https://example.com) 제목"),
    ("title: ellipsis and dashes", "title", "끝나지 않은... 2026--2027"),
    ("title: liquid", "title", "{{ 제목 }} 안의 {% 태그 %}"),
    ("title: header id look-alike", "title", "제목 {#id}"),
    ("title: unclosed tag", "title", "x <img src=x onerror=alert(1)//"),
    ("title: list marker", "title", "- 목록처럼"),
    ("insight: labelled", "insight", ("라벨", "설명입니다.")),
    ("insight: unlabelled", "insight", ("", "라벨 없는 설명.")),
    ("insight: label with star", "insight", ("별*표", "설명.")),
    ("insight: label with code", "insight", ("`pnpm` 사용", "설명.")),
    ("insight: text starting with a list marker", "insight", ("", "- 목록처럼")),
    ("insight: text starting with a number", "insight", ("", "1. 번호처럼")),
    ("insight: text starting with hash", "insight", ("", "#해시 태그")),
    ("insight: rule", "insight", ("", "---")),
    ("insight: pipe", "insight", ("a|b", "c | d")),
    ("insight: quotes", "insight", ("인용", '"AI"는 \'도구\'다.')),
    ("insight: bold look-alike", "insight", ("", "**가짜**: 라벨 아님")),
    ("insight: underscores in the label", "insight", ("__init__", "snake_case_name 그리고 _기울임_")),
    ("insight: payload", "insight", ('![i](https://x.invalid/x.png){: onerror="alert(1)"}', "[c](javascript&colon;alert(1))")),
    # The footer is one emphasized quote: emphasis, blank lines and line starts of the writer's are text in it.
    ("footer: abbreviation look-alike", "footer", "[AI]: 인공지능이 정리했습니다"),
    ("footer: reference look-alike", "footer", "[a][1] 참고 [1]: https://example.com/r"),
    ("footer: emphasis at the start", "footer", "*뉴스룸*이 전합니다"),
    ("footer: underscores", "footer", "_밑줄_ 강조와 snake_case"),
    ("footer: emphasis and strong", "footer", "*강조*와 **굵게**"),
    ("footer: two paragraphs", "footer", "첫 문단입니다.\n\n둘째 문단입니다."),
    ("footer: list lines", "footer", "- 하나\n- 둘"),
    ("footer: only stars", "footer", "**"),
    ("footer: code and link", "footer", "`a*b_c` 코드와 [링크_x](https://example.com/a_b) 그리고 [j](javascript:x)"),
    ("footer: line starts", "footer", "# 해시\n> 인용\n1. 번호"),
    ("footer: backslashes", "footer", "C:\\경로 \\* 그리고 끝\\"),
    ("footer: Liquid and quotes", "footer", '맺음말 `{{ x }}`와 "인용"... {% raw %}'),
]

WORDS = ["엔비디아", "삼성전자", "오픈AI", "구글", "반도체", "로보택시", "데이터센터", "규제", "투자", "모델"]
INLINE = [
    "{w}가 발표했습니다.",
    "**{w}**의 전략",
    "*{w}* 중심",
    "`{w}_v2` 코드",
    "[{w} 발표](https://example.com/{n}?q=1&r=2)",
    '"{w}"라는 말',
    "'{w}'의 의미",
    "**\"{w}\"**이라는",
    "{w}... 그리고",
    "2026--2027년 {w}",
    "{w} --- 요약",
    "AT&T와 {w}",
    "&amp; {w}",
    "{w} | 비교",
    "{w} <b>태그</b>",
    "{w}{{: .x}}",
    "{{{{ {w} }}}}",
    "C# {w}",
    "#{w} 해시",
]


def _sentence(rng, n):
    parts = [rng.choice(INLINE).format(w=rng.choice(WORDS), n=n + k) for k in range(rng.randint(1, 3))]
    return " ".join(parts)


def _summary(rng, n):
    blocks = []
    for _ in range(rng.randint(1, 3)):
        shape = rng.choice(["para", "para", "breaks", "bullets", "after", "numbered", "numbered after"])
        marker = rng.choice(["- ", "* ", "+ "])
        items = [_sentence(rng, n + k) for k in range(rng.randint(2, 3))]
        if shape == "para":
            blocks.append(" ".join(items))
        elif shape == "breaks":
            blocks.append("  \n".join(items))
        elif shape == "bullets":
            blocks.append("\n".join(marker + s + rng.choice(["", "  "]) for s in items).rstrip())
        elif shape == "after":
            blocks.append(_sentence(rng, n) + "\n" + "\n".join(marker + s for s in items))
        elif shape == "numbered":
            blocks.append("\n".join(f"{k}. {s}" for k, s in enumerate(items, 1)))
        else:
            blocks.append(_sentence(rng, n) + "\n" + "\n".join(f"{k}. {s}" for k, s in enumerate(items, 1)))
    return "\n\n".join(blocks)


TITLES = ["{w}, 새 전략 공개", "#{w} 논란", "1. {w} 2026", "{w} & 파트너; 합의", "{w}\u202f5090 출시",
          '"{w}"의 시대', "`{w}` 10 출시", "{w}... 끝?", "C# 그리고 {w} C#"]


def posts(count=24, seed=9):
    """`count` posts of one to five items built from the constructs above, the same for a seed."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL)
    out = []
    for p in range(count):
        items = []
        for i in range(rng.randint(1, 5)):
            n = p * 10 + i
            insights = [
                Insight(rng.choice(["", rng.choice(WORDS), f"{rng.choice(WORDS)} `x`"]), _sentence(rng, n))
                for _ in range(rng.randint(0, 3))
            ]
            sources = [Source(f"https://news{k}.example.com/{n}/{k}") for k in range(rng.randint(1, 3))]
            items.append(Item(rng.choice(TITLES).format(w=rng.choice(WORDS)), _summary(rng, n), insights, sources))
        footer = rng.choice([None, "이 포스팅은 Gemini AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다.",
                             "맺음말 `{{ x }}`와 \"인용\"..."])
        out.append(Post(title=f"[{(start + timedelta(days=p)):%Y-%m-%d}] 글로벌 IT 뉴스 Top 5",
                        date=start + timedelta(days=p), items=items, footer=footer))
    return out


class Features(HTMLParser):
    """What a reader gets of some HTML: its visible text, list items, code spans and links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.items, self.code, self.links = [], [], [], []
        self._open = []  # [kind, parts, href]

    def handle_starttag(self, tag, attrs):
        if tag in ("li", "code", "a"):
            self._open.append([tag, [], dict(attrs).get("href", "")])
        elif tag in ("br", "p", "ul", "ol", "h1", "h2", "h3", "hr", "blockquote", "div", "section"):
            self.handle_data(" ")

    def handle_endtag(self, tag):
        for n in range(len(self._open) - 1, -1, -1):
            kind, parts, href = self._open[n]
            if kind == tag:
                del self._open[n]
                text = " ".join("".join(parts).split())
                if kind == "li":
                    self.items.append(text)
                elif kind == "code":
                    self.code.append(text)
                else:
                    self.links.append((href, text))
                break
        if tag in ("li", "p", "h3"):
            self.handle_data(" ")

    def handle_data(self, data):
        self.text.append(data)
        for _, parts, _ in self._open:
            parts.append(data)

    @classmethod
    def of(cls, markup):
        parser = cls()
        parser.feed(markup)
        parser.close()
        return {"text": " ".join("".join(parser.text).split()), "list items": parser.items,
                "code spans": parser.code, "links": parser.links}


def case_posts():
    """The CASES as posts: summaries and insights five items a post, titles on their own items."""
    items, footers = [], []
    for n, (construct, kind, value) in enumerate(CASES):
        if kind == "footer":
            footers.append(value)
        elif kind == "summary":
            items.append(Item(f"사례 {n}: {construct}", value, [Insight("사례", construct)], [Source(f"https://example.com/case/{n}")]))
        elif kind == "title":
            items.append(Item(value, f"{construct} 사례의 요약.", [], [Source(f"https://example.com/case/{n}")]))
        else:
            items.append(Item(f"사례 {n}", "요약.", [Insight(*value), Insight("둘째", "평범한 시사점.")], []))
    start = datetime(2025, 6, 1, 9, 0, tzinfo=SEOUL)
    groups = [items[at : at + 5] for at in range(0, len(items), 5)]
    groups += [[Item("맺음말 사례", "요약.")]] * (len(footers) - len(groups))
    footers += ["사례 모음의 맺음말."] * (len(groups) - len(footers))
    return [
        Post(title=f"[{(start + timedelta(days=k)):%Y-%m-%d}] 사례 모음", date=start + timedelta(days=k),
             items=group, footer=footer)
        for k, (group, footer) in enumerate(zip(groups, footers))
    ]
