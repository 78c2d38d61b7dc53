"""Issue 14 #2: user text (prompts, projects, file names) is printed as typed: no Rich markup is parsed
(no MarkupError, no hyperlinks), and no raw control byte reaches the terminal."""

from __future__ import annotations

from reliability_helpers import Env, tone

PROMPT = "lofi loop [/chorus] [link=http://evil.example]click[/link] \x1b[2J bell\x07"


def _clean(text: str) -> None:
    assert "Traceback" not in text and "MarkupError" not in text, text[-3000:]
    assert "\x1b]8;" not in text  # no OSC-8 terminal hyperlink
    assert "\x1b[2J" not in text and "\x07" not in text and "\x00" not in text


def test_markup_and_control_bytes_in_prompts_projects_and_file_names(tmp_path):
    env = Env(tmp_path)
    made = env.cli("make", PROMPT, "--project", "[/red]", "--duration", "2")
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    _clean(made.stdout + made.stderr)
    src = tmp_path / "src"
    tone(src / "evil[/bold]\x1b[31mname.wav", 330.0)
    imp = env.cli("library", "import", str(src), "--project", "[link=http://x]p[/link]")
    assert imp.returncode == 0, imp.stderr[-2000:]
    for args in (
        ("library", "ls"),
        ("library", "search", "lofi [/chorus]"),
        ("library", "projects"),
        ("trace", "list"),
        ("trace", "show", "last"),
        ("trace", "diff", env.run_ids()[0], env.run_ids()[0]),
    ):
        r = env.cli(*args)
        assert r.returncode == 0, f"{args}: {r.stdout[-1500:]} {r.stderr[-1500:]}"
        _clean(r.stdout + r.stderr)
    ls = env.cli("library", "ls").stdout
    assert "[/red]" in ls and "\\x1b" in ls  # shown as typed, the ESC byte as a visible escape
    assert "[/chorus]" in env.cli("trace", "list").stdout
    bad = env.cli("library", "show", "[/nope]\x1b[31m")
    assert bad.returncode == 2 and "[/nope]" in bad.stderr
    _clean(bad.stdout + bad.stderr)
