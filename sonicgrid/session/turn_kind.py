"""What a chat line is before anything is made (thread.route): a slash command said in words ("save it", "let's
hear the previous one", "go back", "how many clips have I made?"), a question about what was decided ("why?"), a
comparison of takes ("which one is better?"), a question about the clip ("what key is it in?"), small talk
("thanks!", "bye": its words are prompts/chat_words.yaml), or a request to produce."""

from __future__ import annotations

import re

from sonicgrid.agents.vocab import V, alt
from sonicgrid.session.followup import without_interjection

_SAID_COMMAND = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+|let'?s\s+|let me\s+)?"
    r"(undo|play|hear|listen to|save|export|download|keep)"
    r"(?:\s+(?:it|that|this|the last one|(the previous one|the one before|the clip before)))?"
    r"(?:\s+(?:again|back))?(?:\s+as\s+([\w.-]+))?\s*(?:please)?\s*[.!?]*\s*$",
    re.I,
)
_GO_BACK = re.compile(  # "go back to the previous version": the last clip undone
    r"^(?:[^,.;!]*[,.;!]\s*)?\s*(?:please\s+|can you\s+|could you\s+|let'?s\s+)?go back(?:\s+to\s+(?:the\s+)?"
    r"(?:previous|last|earlier|other|old)\s+(?:one|version|clip|take))?\s*(?:please)?\s*[.!?]*\s*$",
    re.I,
)
_HISTORY = re.compile(
    r"^\s*(?:how many (?:clips|tracks|takes|things)\b|what (?:have|did) (?:i|we|you) (?:made|make|done)\b"
    r"|(?:list|show)(?: me)?(?: my| the| all| all the)? (?:clips|takes|history)\b)",
    re.I,
)
_QUESTION = re.compile(
    r"^\s*(what|why|how come|explain|which)\b.*\b(decid|chose|choose|why|reason|pick|do|did you change|changed)", re.I
)
_COMPARE = re.compile(  # "which one is better?", "which take do you prefer?"
    r"^\s*(?:so\s+|and\s+)?(?:which|what)(?:\s+(?:one|take|clip|version|variation))?\s+(?:is|was|sounds|do you)\b.*"
    r"\b(?:better|best|prefer|like more|like best)\b|^\s*which\b.*\bshould (?:i|we) (?:use|pick|choose|keep|go with)\b",
    re.I,
)
_ABOUT = re.compile(  # "what key is it in?", "how long is it?", "what's the bpm": the last clip described
    r"^\s*(?:can|could|may)\s+(?:i|we)\s+(?:get|have|download|see|find)\s+(?:the\s+)?(?:stems?|midi|files?|wav)\b|"
    r"^\s*(?:(?:and|so|also|but|ok(?:ay)?|oh)[,\s]+)?"  # "and what key?"
    r"(?!(?:what|how)\s+about\b|what\s+if\b|.*\b(?:make|give me|create|generate|compose|write)\b)(?:what|which|how|where|is\s+(?:it|this|that)|tell me)\b.*"
    r"\b(key|tempo|bpm|meter|time signature|bars?|beats|seconds|duration|long|length|loud|loudness|lufs|mood|instruments?|layers?|parts?|score|scored|quality|"
    r"saved|file|path|in it|playing|good)\b[^.!]*$",
    re.I,
)


_THANKS = "(?:" + alt(V["chat_thanks"]) + ")"
_BYE = "(?:" + alt(V["chat_bye"]) + ")"
_SOCIAL = re.compile(
    rf"^(?:\s*(?:{_THANKS}|{_BYE})(?:\s+(?:so much|a lot|again|there|for now|for today|for the day|then))?[\s,.!:;)]*)+$",
    re.I,
)
_GOODBYE = re.compile(rf"\b{_BYE}\b", re.I)


def goodbye(text: str) -> bool:
    """ "thanks! bye": a turn that only says goodbye (the terminal chat ends the session on it)."""
    return bool(_SOCIAL.match(text) and _GOODBYE.search(text))


_SAID_AS = {"export": "save", "download": "save", "keep": "save", "hear": "play", "listen to": "play"}


def classify(text: str) -> tuple[str, str]:
    """(route, the line as the route reads it): a command said in words becomes its slash command."""
    said_cmd = _SAID_COMMAND.match(without_interjection(text))  # "perfect, save it": /save
    if said_cmd:  # "undo that", "play it", "save it as keeper": the slash command, not a new clip
        verb = _SAID_AS.get(said_cmd.group(1).lower(), said_cmd.group(1).lower())
        arg = "previous" if said_cmd.group(2) and verb in ("play", "save") else said_cmd.group(3) or ""
        text = f"/{verb} {arg}".strip()
    elif _GO_BACK.match(without_interjection(text)):
        text = "/undo"
    elif _HISTORY.match(text):  # "how many clips have I made?"
        text = "/history"
    kind = "command" if text.startswith("/") else ("explain" if _QUESTION.search(text) else "produce")
    kind = "compare" if kind != "command" and _COMPARE.match(text) else kind
    kind = "describe" if kind == "produce" and _ABOUT.match(text) else kind
    kind = "social" if kind == "produce" and _SOCIAL.match(text) else kind  # "thanks!", "great", "bye"
    return kind, text
