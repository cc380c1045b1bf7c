"""import_jekyll and export_jekyll: summaries, failures as path:line: reason, exit status, filters."""
import fcntl
import io
import os
import pty
import shutil
import struct
import termios
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from digests.management.commands import import_jekyll
from digests.models import Digest, Status

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "posts"


def run(name, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(name, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue(), str(failure.value)


def test_golden_post_import_then_export_is_byte_identical(tmp_path, golden_post):
    golden = golden_post
    out, err = run("import_jekyll", str(golden))
    assert out == "가져온 글 1개(새로 만듦 1개, 갱신 0개), 실패 0개\n" and err == ""
    out, _ = run("export_jekyll", str(tmp_path))
    assert out == "쓴 글 1개, 변경 없음 0개\n"
    assert (tmp_path / "_posts" / golden.name).read_bytes() == golden.read_bytes()


def test_sample_posts_import_then_export_is_byte_identical(tmp_path):
    out, err = run("import_jekyll", str(SAMPLES))
    assert out == "가져온 글 6개(새로 만듦 6개, 갱신 0개), 실패 0개\n" and err == ""
    out, _ = run("export_jekyll", str(tmp_path))
    assert out == "쓴 글 6개, 변경 없음 0개\n"
    for sample in SAMPLES.glob("*.md"):
        assert (tmp_path / "_posts" / sample.name).read_bytes() == sample.read_bytes(), sample.name

    out, _ = run("import_jekyll", str(tmp_path))  # the site folder: its _posts
    assert out == "가져온 글 6개(새로 만듦 0개, 갱신 6개), 실패 0개\n"
    assert Digest.objects.count() == 6
    out, _ = run("export_jekyll", str(tmp_path))
    assert out == "쓴 글 0개, 변경 없음 6개\n"


def test_import_failures_are_listed_and_the_exit_status_is_not_zero(tmp_path):
    shutil.copy(SAMPLES / "2026-11-02-daily-it-news.md", tmp_path)
    (tmp_path / "2026-11-05-daily-it-news.md").write_bytes(b"---\ntitle: \"x\"\ndate: 2026-11-05\n---\n\xff\n")
    (tmp_path / "2026-11-06-daily-it-news.md").write_text("no front matter\n", encoding="utf-8")
    (tmp_path / "2026-11-07-daily-it-news.md").write_text(
        "---\ntitle: \"x\"\ndate:   tomorrow\ncategories: tech\n---\n\n### a\n", encoding="utf-8")
    (tmp_path / "2026-11-08-daily-it-news.md").write_text(
        "---\ntitle: \"x\"\ndate:   2026-11-08 13:00:00 +0900\ncategories: tech\n---\n\n", encoding="utf-8")

    out, err, message = run_failing("import_jekyll", str(tmp_path))

    assert out == "가져온 글 1개(새로 만듦 1개, 갱신 0개), 실패 4개\n"
    lines = err.splitlines()
    assert lines[0].startswith(f"{tmp_path}/2026-11-05-daily-it-news.md:5: UTF-8이 아닙니다")
    assert lines[1] == f"{tmp_path}/2026-11-06-daily-it-news.md:1: front matter가 없습니다. 글은 '---' 줄로 시작해야 합니다"
    assert lines[2].startswith(f"{tmp_path}/2026-11-07-daily-it-news.md:3: 날짜 'tomorrow'은(는) ")
    assert lines[3].startswith(f"{tmp_path}/2026-11-08-daily-it-news.md:") and "글에 항목이 없습니다" in lines[3]
    assert len(lines) == 4
    assert "파일 4개를 가져오지 못했습니다" in message and "명령을 다시 실행하세요" in message
    assert list(Digest.objects.values_list("date", flat=True)) == [__import__("datetime").date(2026, 11, 2)]


def test_exit_status_from_the_command_line(tmp_path, capsys):
    (tmp_path / "2026-11-06-daily-it-news.md").write_text("no front matter\n", encoding="utf-8")
    command = load_command_class(get_commands()["import_jekyll"], "import_jekyll")
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "import_jekyll", str(tmp_path), "--no-progress"])
    assert exit_.value.code == 1
    assert "front matter가 없습니다" in capsys.readouterr().err


def test_import_status_option():
    out, _ = run("import_jekyll", str(SAMPLES / "2026-11-02-daily-it-news.md"), status="approved")
    assert out.startswith("가져온 글 1개")
    digest = Digest.objects.get()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_jekyll", str(SAMPLES), "--status", "live")


def test_import_warnings_go_to_stderr_with_file_and_line(tmp_path):
    text = (SAMPLES / "2026-11-02-daily-it-news.md").read_text(encoding="utf-8")
    path = tmp_path / "2026-11-02-daily-it-news.md"
    path.write_text(text.replace("categories: tech\n", "categories: tech\nauthor: bot\n"), encoding="utf-8")
    out, err = run("import_jekyll", str(path))
    assert out == "가져온 글 1개(새로 만듦 1개, 갱신 0개), 실패 0개\n"
    assert err == f"경고: {path}:1: front matter 키 'author'은(는) 다이제스트의 생성 기록에 보관하지만 내보내지는 않습니다\n"
    assert run("import_jekyll", str(path), verbosity=0)[1] == ""


def test_export_writes_live_digests_only_and_filters_by_series(tmp_path):
    run("import_jekyll", str(SAMPLES))
    # Unpublished since: approved, but nothing of it is on the blog any more.
    Digest.objects.filter(date="2026-11-04").update(status=Status.APPROVED, live_snapshot=None)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    out, _ = run("export_jekyll", str(tmp_path / "a"), series="entertainment")
    assert out == "쓴 글 2개, 변경 없음 0개\n"
    assert sorted(p.name for p in (tmp_path / "a" / "_posts").iterdir()) == [
        "2026-11-02-daily-entertainment-news.md", "2026-11-03-daily-entertainment-news.md"]

    out, _ = run("export_jekyll", str(tmp_path / "b"))
    assert out == "쓴 글 4개, 변경 없음 0개\n"
    assert not list((tmp_path / "b" / "_posts").glob("2026-11-04-*"))
    with pytest.raises(CommandError):
        call_command("export_jekyll", str(tmp_path / "b"), "--status", "approved")

    _, _, message = run_failing("export_jekyll", str(tmp_path), series="sports")
    assert message == "시리즈 'sports'이(가) 없습니다. 있는 시리즈: entertainment, tech."


def test_export_needs_an_existing_site_folder(tmp_path, settings):
    settings.JEKYLL_SITE_DIR = ""
    assert "SITE_DIR이 없습니다" in run_failing("export_jekyll")[2]
    settings.JEKYLL_SITE_DIR = str(tmp_path)
    assert run("export_jekyll")[0] == "쓴 글 0개, 변경 없음 0개\n"
    assert "폴더가 아닙니다" in run_failing("export_jekyll", str(tmp_path / "missing"))[2]


def test_export_lists_a_post_it_cannot_write(tmp_path):
    run("import_jekyll", str(SAMPLES / "2026-11-02-daily-it-news.md"), str(SAMPLES / "2026-11-03-daily-it-news.md"))
    (tmp_path / "_posts" / "2026-11-03-daily-it-news.md").mkdir(parents=True)
    out, err, message = run_failing("export_jekyll", str(tmp_path))
    assert out == "쓴 글 1개, 변경 없음 0개, 실패 1개\n"
    assert err.startswith(f"{tmp_path}/_posts/2026-11-03-daily-it-news.md: 다이제스트 ")
    assert "다이제스트 1개를 내보내지 못했습니다" in message


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    # StringIO is not a tty: the summary alone, no tqdm carriage returns.
    out, err = run("import_jekyll", str(SAMPLES))
    assert "\r" not in err and "post/s" not in err and err == ""
    out, err = run("export_jekyll", str(tmp_path))
    assert "\r" not in err and err == ""


def test_progress_bar_on_a_terminal(tmp_path, monkeypatch):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    os.set_blocking(master, False)
    monkeypatch.setattr(import_jekyll, "PROGRESS_DELAY", 0)

    def shown(*args):
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=terminal)
        terminal.flush()
        data = b""
        while True:
            try:
                data += os.read(master, 65536)
            except BlockingIOError:  # all the command wrote has been read
                return out.getvalue(), data.decode()

    with os.fdopen(slave, "w", encoding="utf-8") as terminal:
        out, bar = shown("import_jekyll", str(SAMPLES))
        assert out == "가져온 글 6개(새로 만듦 6개, 갱신 0개), 실패 0개\n" and "| 6/6 [" in bar
        out, bar = shown("export_jekyll", str(tmp_path))
        assert out == "쓴 글 6개, 변경 없음 0개\n" and "| 6/6 [" in bar
        out, bar = shown("export_jekyll", str(tmp_path), "--no-progress")
        assert out == "쓴 글 0개, 변경 없음 6개\n" and bar == ""
    os.close(master)


def test_help_is_korean_too(capsys):
    for name in ("import_jekyll", "export_jekyll", "generate_digest", "demo"):
        load_command_class(get_commands()[name], name).print_help("manage.py", name)
    text = capsys.readouterr().out
    for korean in ("다이제스트로 가져옵니다", "글 파일 또는 글 파일이 든 폴더", "파일마다 원자적으로", "진행 표시줄을 보이지 않습니다",
                   "순위를 매겨 씁니다", "시리즈 슬러그(예: tech, entertainment)", "서버를 띄웁니다"):
        assert korean in text, korean
