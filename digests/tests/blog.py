"""A blog working copy with a bare remote, and the check that both hold exactly the live digests' posts."""
import subprocess
from pathlib import Path

from digests import publishing
from digests.models import Digest


def run(cwd, *args, check=True):
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=check).stdout.strip()


def make_blog(folder: Path) -> tuple[Path, Path]:
    """`folder/site`, one commit in, whose origin is the bare repository `folder/remote.git`."""
    remote = folder / "remote.git"
    site = folder / "site"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(site)], check=True)
    (site / "_config.yml").write_text("title: blog\n")
    run(site, "add", "_config.yml")
    run(site, "-c", "user.name=Blogger", "-c", "user.email=b@example.com", "commit", "-q", "-m", "init")
    run(site, "remote", "add", "origin", str(remote))
    run(site, "push", "-q", "origin", "main")
    return site, remote


def commits(repo, ref="main"):
    return run(repo, "log", "--format=%H %an <%ae> %s", ref).splitlines()


def posts_in_working_copy(site) -> dict[str, bytes]:
    folder = Path(site) / "_posts"
    return {f"_posts/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.md"))} if folder.is_dir() else {}


def posts_on_remote(remote, branch="main") -> dict[str, bytes]:
    # One commit throughout: a push may move the branch between the listing and the reads.
    commit = run(remote, "rev-parse", branch)
    names = run(remote, "ls-tree", "-r", "--name-only", commit, "--", "_posts").splitlines()
    return {name: subprocess.run(["git", "-C", str(remote), "show", f"{commit}:{name}"], capture_output=True,
                                 check=True).stdout for name in names}


def live_posts() -> dict[str, bytes]:
    """What the blog must hold: every live digest's published version at its live address."""
    return {publishing.post_relpath(d): publishing.render_live(d)
            for d in Digest.objects.live().select_related("series")}


def converged(site, remote) -> bool:
    """Working copy (committed, nothing left staged) and remote hold exactly the live posts."""
    expected = live_posts()
    clean = run(site, "status", "--porcelain", "--", "_posts") == ""
    return clean and posts_in_working_copy(site) == expected and posts_on_remote(remote) == expected


def describe(site, remote) -> str:
    return (f"expected {sorted(live_posts())}; working copy {sorted(posts_in_working_copy(site))} "
            f"(status {run(site, 'status', '--porcelain')!r}); remote {sorted(posts_on_remote(remote))}")
