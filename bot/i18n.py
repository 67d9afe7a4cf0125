"""The bot's message catalogue: Indonesian by default, English for English-speaking users.

Every user-visible sentence lives here, keyed by a short name; ``text(lang, key, **values)``
fills ``str.format`` placeholders. Templates are Telegram HTML: values that come from users or
articles must be escaped by the caller (``render`` does that) before they are passed in.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["LANGUAGES", "Language", "language_for", "text"]

Language = Literal["id", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("id", "en")

_CATALOGUE: Final[dict[str, dict[Language, str]]] = {
    "start": {
        "id": (
            "Halo! Saya <b>tanyaberita</b>: tanyakan apa saja tentang berita yang saya baca, "
            "saya jawab dengan kalimat dari artikelnya.\n\n"
            "Mulai dengan kata tanya: <i>siapa, apa, kapan, di mana, berapa, mengapa</i>.\n\n"
            "Artikel yang saya ketahui:\n{titles}\n\n/help — semua perintah"
        ),
        "en": (
            "Hi! I am <b>tanyaberita</b>: ask me anything about the news articles I have read "
            "and I answer with a sentence from the article.\n\n"
            "Questions work best in Indonesian (<i>siapa, apa, kapan, di mana…</i>).\n\n"
            "Articles I know:\n{titles}\n\n/help — all commands"
        ),
    },
    "help": {
        "id": (
            "<b>Cara bertanya</b>\n"
            "• Di chat pribadi: kirim pertanyaan apa saja.\n"
            "• Di grup: <code>/tanya pertanyaan</code>, balas pesan saya, atau sebut @{bot}.\n"
            "• Di chat mana pun: ketik <code>@{bot} pertanyaan</code> (mode inline).\n\n"
            "<b>Perintah</b>\n"
            "/tanya — ajukan pertanyaan (juga /ask)\n"
            "/artikel — daftar artikel\n"
            "/bahasa id|en — bahasa bot di chat ini\n"
            "/help — bantuan ini"
        ),
        "en": (
            "<b>How to ask</b>\n"
            "• In a private chat: send any question.\n"
            "• In a group: <code>/ask question</code>, reply to my message, or mention @{bot}.\n"
            "• In any chat: type <code>@{bot} question</code> (inline mode).\n\n"
            "<b>Commands</b>\n"
            "/ask — ask a question (also /tanya)\n"
            "/artikel — list of articles\n"
            "/bahasa id|en — the bot's language in this chat\n"
            "/help — this help"
        ),
    },
    "help_admin": {
        "id": (
            "\n\n<b>Perintah admin</b>\n"
            "/reload — sinkronkan folder konten dan bangun ulang indeks\n"
            "/tambah URL — tambah artikel dari URL (atau kirim berkas .txt/.html, "
            "atau balas sebuah teks dengan /tambah)\n"
            "/hapus ID — hapus artikel\n"
            "/stats — statistik pertanyaan"
        ),
        "en": (
            "\n\n<b>Admin commands</b>\n"
            "/reload — sync the content folder and rebuild the index\n"
            "/tambah URL — add an article from a URL (or send a .txt/.html file, "
            "or reply to a text with /tambah)\n"
            "/hapus ID — remove an article\n"
            "/stats — question statistics"
        ),
    },
    "group_intro": {
        "id": (
            "Halo! Saya menjawab pertanyaan tentang berita. Di grup ini: "
            "<code>/tanya pertanyaan</code>, balas pesan saya, atau sebut @{bot}. "
            "Bantuan: /help"
        ),
        "en": (
            "Hi! I answer questions about the news. In this group: "
            "<code>/ask question</code>, reply to my message, or mention @{bot}. Help: /help"
        ),
    },
    "answer_header": {
        "id": "💡 <b>Jawaban {rank}/{total}</b>",
        "en": "💡 <b>Answer {rank}/{total}</b>",
    },
    "answer_context": {"id": "Konteks", "en": "Context"},
    "answer_source": {"id": "📰 Sumber: {title}", "en": "📰 Source: {title}"},
    "button_more": {"id": "Jawaban lain ▸", "en": "Other answers ▸"},
    "not_in_article": {
        "id": "Maaf, artikel yang saya punya tidak menjawab pertanyaan itu.",
        "en": "Sorry, the articles I have do not answer that question.",
    },
    "known_titles": {
        "id": "Yang saya ketahui:\n{titles}",
        "en": "What I know about:\n{titles}",
    },
    "more_titles": {
        "id": "… dan {count} artikel lain (/artikel)",
        "en": "… and {count} more (/artikel)",
    },
    "ask_tip": {
        "id": "Coba gunakan kata dari artikel: nama orang, tempat, tanggal atau peristiwa.",
        "en": "Try words from the article: names of people, places, dates or events.",
    },
    "no_articles": {
        "id": "Belum ada artikel. Admin dapat menambahkannya dengan /tambah.",
        "en": "There are no articles yet. Admins can add one with /tambah.",
    },
    "empty_question": {
        "id": "Tulis pertanyaan tentang artikel, misalnya <i>Kapan perjanjian disepakati?</i>",
        "en": "Write a question about the article, e.g. <i>When was the agreement signed?</i>",
    },
    "smalltalk": {
        "id": "Sama-sama! 🙂 Silakan tanyakan sesuatu tentang artikel.",
        "en": "You're welcome! 🙂 Ask me anything about the articles.",
    },
    "unknown_document": {
        "id": "Artikel itu tidak ada (lihat /artikel).",
        "en": "That article does not exist (see /artikel).",
    },
    "tanya_usage": {
        "id": (
            "Tulis pertanyaannya setelah perintah, misalnya:\n<code>/tanya Siapa yang "
            "menandatangani perjanjian?</code>\nAtau balas sebuah pesan dengan /tanya."
        ),
        "en": (
            "Put the question after the command, for example:\n<code>/ask Siapa yang "
            "menandatangani perjanjian?</code>\nOr reply to a message with /ask."
        ),
    },
    "articles_header": {"id": "<b>Artikel ({count})</b>", "en": "<b>Articles ({count})</b>"},
    "article_line": {
        "id": "#{id} — {title} ({sentences} kalimat)",
        "en": "#{id} — {title} ({sentences} sentences)",
    },
    "non_text": {
        "id": "Saya hanya bisa membaca pertanyaan berupa teks. Ketik pertanyaan Anda 🙂",
        "en": "I can only read questions written as text. Please type your question 🙂",
    },
    "unknown_command": {
        "id": "Perintah itu tidak saya kenal. Lihat /help.",
        "en": "I do not know that command. See /help.",
    },
    "flood": {
        "id": (
            "Pelan-pelan ya 🙂 Terlalu banyak pertanyaan sekaligus. "
            "Coba lagi dalam {seconds} detik."
        ),
        "en": "Slow down a little 🙂 Too many questions at once. Try again in {seconds} seconds.",
    },
    "error": {
        "id": "Maaf, terjadi kesalahan. Silakan coba lagi sebentar lagi.",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "feedback_thanks_up": {"id": "Terima kasih! 👍", "en": "Thank you! 👍"},
    "feedback_thanks_down": {
        "id": "Terima kasih, masukan dicatat. 👎",
        "en": "Thanks, your feedback was recorded. 👎",
    },
    "stale_answer": {
        "id": "Jawaban ini sudah kedaluwarsa. Silakan tanyakan lagi.",
        "en": "This answer has expired. Please ask again.",
    },
    "admin_only": {
        "id": "Maaf, perintah ini hanya untuk admin bot.",
        "en": "Sorry, this command is for the bot's admins only.",
    },
    "reload_done": {
        "id": (
            "🔄 Dimuat ulang dalam {seconds} detik: {added} baru, {updated} diperbarui, "
            "{removed} dihapus, {unchanged} tetap, {failed} gagal.\n"
            "Sekarang {documents} artikel, {sentences} kalimat (revisi {revision})."
        ),
        "en": (
            "🔄 Reloaded in {seconds} s: {added} added, {updated} updated, {removed} removed, "
            "{unchanged} unchanged, {failed} failed.\n"
            "Now {documents} articles, {sentences} sentences (revision {revision})."
        ),
    },
    "reload_errors": {"id": "Masalah:", "en": "Problems:"},
    "store_error": {
        "id": "⚠️ Basis data sedang tidak bisa dipakai, tidak ada yang diubah: {error}",
        "en": "⚠️ The database cannot be used right now; nothing was changed: {error}",
    },
    "busy": {
        "id": "Perubahan konten lain sedang berjalan; tunggu sebentar lalu coba lagi.",
        "en": "Another content change is running; wait a moment and try again.",
    },
    "ingest_done": {
        "id": "✅ Artikel #{id} {status}: {title} ({sentences} kalimat).",
        "en": "✅ Article #{id} {status}: {title} ({sentences} sentences).",
    },
    "ingest_failed": {
        "id": "❌ Gagal menambah {source}: {error}",
        "en": "❌ Could not add {source}: {error}",
    },
    "status_added": {"id": "ditambahkan", "en": "added"},
    "status_updated": {"id": "diperbarui", "en": "updated"},
    "status_unchanged": {"id": "sudah ada, tidak berubah", "en": "already present, unchanged"},
    "tambah_usage": {
        "id": (
            "Cara menambah artikel:\n• <code>/tambah https://contoh.id/berita</code>\n"
            "• kirim berkas .txt atau .html (bisa dengan keterangan /tambah)\n"
            "• balas sebuah pesan teks dengan <code>/tambah Judul</code>"
        ),
        "en": (
            "How to add an article:\n• <code>/tambah https://example.com/news</code>\n"
            "• send a .txt or .html file (optionally captioned /tambah)\n"
            "• reply to a text message with <code>/tambah Title</code>"
        ),
    },
    "upload_too_large": {
        "id": "❌ Berkas terlalu besar ({size} KB); batasnya {limit} KB.",
        "en": "❌ The file is too large ({size} KB); the limit is {limit} KB.",
    },
    "upload_wrong_type": {
        "id": "❌ Hanya berkas teks .txt, .md atau .html yang bisa ditambahkan (bukan {name}).",
        "en": "❌ Only .txt, .md or .html text files can be added (not {name}).",
    },
    "hapus_usage": {
        "id": "Tulis ID artikel: <code>/hapus 3</code> (lihat /artikel).",
        "en": "Give the article id: <code>/hapus 3</code> (see /artikel).",
    },
    "hapus_done": {"id": "🗑 Artikel #{id} dihapus.", "en": "🗑 Article #{id} removed."},
    "hapus_missing": {"id": "Tidak ada artikel #{id}.", "en": "There is no article #{id}."},
    "stats": {
        "id": (
            "📊 <b>Statistik</b>\nPertanyaan: {questions}\nTerjawab: {answered} ({share})\n"
            "Tidak terjawab: {abstained}\nUmpan balik: 👍 {up} · 👎 {down}\n"
            "Median waktu jawab: {p50} ms"
        ),
        "en": (
            "📊 <b>Statistics</b>\nQuestions: {questions}\nAnswered: {answered} ({share})\n"
            "Not answered: {abstained}\nFeedback: 👍 {up} · 👎 {down}\n"
            "Median answer time: {p50} ms"
        ),
    },
    "stats_top": {"id": "<b>Paling sering ditanyakan</b>", "en": "<b>Most asked</b>"},
    "stats_unanswered": {"id": "<b>Belum terjawab</b>", "en": "<b>Not answered</b>"},
    "language_set": {"id": "Bahasa chat ini: Indonesia.", "en": "This chat's language: English."},
    "language_usage": {
        "id": "Pilih bahasa: <code>/bahasa id</code> atau <code>/bahasa en</code>.",
        "en": "Choose a language: <code>/bahasa id</code> or <code>/bahasa en</code>.",
    },
    "inline_none_title": {"id": "Tidak ada di artikel", "en": "Not in the articles"},
    "inline_help_title": {
        "id": "Tulis pertanyaan tentang berita",
        "en": "Type a question about the news",
    },
}


def _as_language(value: str | None) -> Language | None:
    if value == "en":
        return "en"
    if value == "id":
        return "id"
    return None


def text(lang: str, key: str, **values: object) -> str:
    """The message ``key`` in ``lang`` (Indonesian when the language is not in the catalogue)."""
    entry = _CATALOGUE[key]
    template = entry[_as_language(lang) or "id"]
    return template.format(**values) if values else template


def language_for(
    language_code: str | None, chat_setting: str | None = None, default: str = "id"
) -> Language:
    """A chat's explicit setting wins; then the user's Telegram language (English for ``en*``,
    Indonesian for ``id``); users with another or no language get the configured default."""
    chosen = _as_language(chat_setting)
    if chosen is not None:
        return chosen
    code = (language_code or "").lower()
    if code.startswith("en"):
        return "en"
    if code.startswith("id"):
        return "id"
    return _as_language(default) or "id"
