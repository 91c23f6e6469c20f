"""Deterministic Mandarin for a call: "A012" is read A 零 一 二, one character at a time.

Ticket and window numbers are read digit by digit (the convention for 排队叫号: 零零一, not
一), letters by their letter name. The same tokens name the clips of a clip set and, spelled
in pinyin, drive espeak-ng, so polyphones such as 重 (chóng, not zhòng) are never guessed.
"""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
# Token -> pinyin with tone numbers, for espeak-ng's cmn-latn-pinyin voice.
PINYIN: dict[str, str] = {
    "请": "qing3",
    "号到": "hao4 dao4",
    "号窗口办理": "hao4 chuang1 kou3 ban4 li3",
    "重呼": "chong2 hu1",
    "零": "ling2",
    "一": "yi1",
    "幺": "yao1",
    "二": "er4",
    "三": "san1",
    "四": "si4",
    "五": "wu3",
    "六": "liu4",
    "七": "qi1",
    "八": "ba1",
    "九": "jiu3",
}
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
# Every token `announcement_tokens` can produce: the files a clip set must hold.
CLIP_TOKENS: tuple[str, ...] = (*PINYIN, *LETTERS)


def spell(code: str, *, one: str = "一") -> list[str]:
    """Tokens of a code: A012 -> A 零 一 二; `one` may be 幺 where halls read 1 as yāo."""
    tokens = []
    for ch in code.strip().upper():
        if ch.isdigit() and ch.isascii():
            tokens.append(one if ch == "1" else DIGITS[int(ch)])
        elif "A" <= ch <= "Z":
            tokens.append(ch)
        elif not ch.isspace() and ch not in "-_":
            raise ValueError(f"cannot read {ch!r} in {code!r} aloud")
    if not tokens:
        raise ValueError("nothing to read")
    return tokens


def announcement_tokens(
    number: str, window: str, *, recall: bool = False, one: str = "一"
) -> list[str]:
    """Clip tokens: [重呼] 请 <number> 号到 <window> 号窗口办理."""
    tokens = ["重呼"] if recall else []
    return [*tokens, "请", *spell(number, one=one), "号到", *spell(window, one=one), "号窗口办理"]


def announcement_text(number: str, window: str, *, recall: bool = False, one: str = "一") -> str:
    """The words of a call: 请 A零一二 号到 S零三 号窗口办理 (recall: 重呼 请 …)."""
    text = f"请 {''.join(spell(number, one=one))} 号到 {''.join(spell(window, one=one))} 号窗口办理"
    return f"重呼 {text}" if recall else text


def espeak_input(tokens: list[str]) -> str:
    """The tokens spelled for espeak-ng (pinyin; letters as themselves)."""
    return " ".join(PINYIN.get(token, token) for token in tokens)
