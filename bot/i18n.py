"""The bot's message catalogue: Indonesian by default, English for English-speaking users.

Every user-visible sentence lives here, keyed by a short name; ``text(lang, key, **values)``
fills ``str.format`` placeholders. Templates are Telegram HTML: values that come from users or
articles must be escaped by the caller (``render`` does that) before they are passed in.

Errors from the store (``index.errors``: a stable key and parameters besides an English
sentence) have plain-text templates of their own; ``error_text`` fills one, and ``render``
escapes the result and falls back to the English sentence when there is no template.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping
from typing import Final, Literal, cast

from index.errors import ErrorKey, ErrorParam

__all__ = [
    "LANGUAGES",
    "Language",
    "count",
    "error_text",
    "language_for",
    "megabytes",
    "number",
    "plain_text",
    "text",
]

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
            "• Di grup: {groups}\n"
            "• Di chat mana pun: ketik <code>@{bot} pertanyaan</code> (mode inline).\n\n"
            "<b>Perintah</b>\n"
            "/tanya — ajukan pertanyaan (juga /ask)\n"
            "/artikel [kata] — daftar artikel, terbaru dulu (atau cari judul)\n"
            "/bahasa id|en — bahasa bot di chat ini\n"
            "/help — bantuan ini"
        ),
        "en": (
            "<b>How to ask</b>\n"
            "• In a private chat: send any question.\n"
            "• In a group: {groups}\n"
            "• In any chat: type <code>@{bot} question</code> (inline mode).\n\n"
            "<b>Commands</b>\n"
            "/ask — ask a question (also /tanya)\n"
            "/artikel [word] — list of articles, newest first (or search the titles)\n"
            "/bahasa id|en — the bot's language in this chat\n"
            "/help — this help"
        ),
    },
    "help_admin": {
        "id": (
            "\n\n<b>Perintah admin</b>\n"
            "/reload — sinkronkan folder konten dan bangun ulang indeks\n"
            "/tambah URL — tambah artikel dari URL (atau kirim berkas .txt/.md/.html, "
            "atau balas sebuah teks dengan /tambah)\n"
            "/hapus ID — hapus artikel\n"
            "/langganan URL — ikuti feed RSS/Atom (/feeds, /berhenti ID)\n"
            "/stats — statistik pertanyaan"
        ),
        "en": (
            "\n\n<b>Admin commands</b>\n"
            "/reload — sync the content folder and rebuild the index\n"
            "/tambah URL — add an article from a URL (or send a .txt/.md/.html file, "
            "or reply to a text with /tambah)\n"
            "/hapus ID — remove an article\n"
            "/langganan URL — follow an RSS/Atom feed (/feeds, /berhenti ID)\n"
            "/stats — question statistics"
        ),
    },
    "group_intro": {
        "id": "Halo! Saya menjawab pertanyaan tentang berita. Di grup ini: {groups} Bantuan: /help",
        "en": "Hi! I answer questions about the news. In this group: {groups} Help: /help",
    },
    # How to ask in a group, by what the bot receives there (docs/bot.md, "Privacy mode").
    "groups_all_messages": {
        "id": "<code>/tanya pertanyaan</code>, balas pesan saya, atau sebut @{bot} dalam pesan.",
        "en": "<code>/ask question</code>, reply to my message, or mention @{bot} in a message.",
    },
    "groups_privacy": {
        "id": (
            "<code>/tanya pertanyaan</code> atau balas pesan saya. "
            "(Menyebut @{bot} dalam pesan biasa hanya sampai kepada saya jika saya admin grup.)"
        ),
        "en": (
            "<code>/ask question</code> or reply to my message. "
            "(Mentioning @{bot} in a plain message reaches me only if I am a group admin.)"
        ),
    },
    "answer_header": {
        "id": "💡 <b>Jawaban {rank}/{total}</b>",
        "en": "💡 <b>Answer {rank}/{total}</b>",
    },
    "answer_source": {"id": "📰 Sumber: {title}", "en": "📰 Source: {title}"},
    "button_more": {"id": "Jawaban lain ▸", "en": "Other answers ▸"},
    "not_in_article": {
        "id": "Maaf, artikel yang saya punya tidak menjawab pertanyaan itu.",
        "en": (
            "Sorry, the articles I have do not answer that question. They are in Indonesian, "
            "so questions in Indonesian work best (<i>siapa</i> = who, <i>apa</i> = what, "
            "<i>kapan</i> = when, <i>di mana</i> = where, <i>berapa</i> = how many)."
        ),
    },
    "known_titles": {
        "id": "Yang saya ketahui:\n{titles}",
        "en": "What I know about:\n{titles}",
    },
    "more_titles": {
        "id": "… dan {count:,} artikel lain (/artikel)",
        "en": "… and {count:,} more (/artikel)",
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
    "smalltalk_thanks": {
        "id": "Sama-sama! 🙂 Silakan bertanya lagi kapan saja.",
        "en": "You're welcome! 🙂 Ask again any time.",
    },
    "smalltalk_greeting": {"id": "{hello} 👋 {hint}", "en": "{hello} 👋 {hint}"},
    "smalltalk_other": {"id": "🙂 {hint}", "en": "🙂 {hint}"},
    "smalltalk_hint": {
        "id": "Tanyakan apa saja tentang berita yang saya punya, misalnya {titles}.",
        "en": "Ask me anything about the news I have, e.g. {titles}.",
    },
    "smalltalk_all": {"id": "(semua {articles}: /artikel)", "en": "(all {articles}: /artikel)"},
    "hello": {"id": "Halo!", "en": "Hi!"},
    "hello_salam": {"id": "Waalaikumsalam!", "en": "Wa alaikum salam!"},
    "hello_kabar": {"id": "Kabar baik, terima kasih!", "en": "I'm fine, thank you!"},
    "hello_pagi": {"id": "Selamat pagi!", "en": "Good morning!"},
    "hello_siang": {"id": "Selamat siang!", "en": "Good afternoon!"},
    "hello_sore": {"id": "Selamat sore!", "en": "Good afternoon!"},
    "hello_malam": {"id": "Selamat malam!", "en": "Good evening!"},
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
    "articles_header": {
        "id": "<b>Artikel ({count:,})</b> — terbaru dulu, halaman {page}/{pages}",
        "en": "<b>Articles ({count:,})</b> — newest first, page {page}/{pages}",
    },
    "articles_found": {
        "id": "<b>Artikel dengan “{query}” ({count:,})</b> — halaman {page}/{pages}",
        "en": "<b>Articles with “{query}” ({count:,})</b> — page {page}/{pages}",
    },
    "articles_none_found": {
        "id": "Tidak ada artikel dengan “{query}”. Semua artikel: /artikel",
        "en": "No article has “{query}” in its title. All articles: /artikel",
    },
    "articles_search_tip": {
        "id": "Cari judul: <code>/artikel banjir</code>",
        "en": "Search the titles: <code>/artikel flood</code>",
    },
    "article_line": {"id": "#{id} — {title} ({sentences})", "en": "#{id} — {title} ({sentences})"},
    "button_next": {"id": "Berikutnya ▸", "en": "Next ▸"},
    "button_previous": {"id": "◂ Sebelumnya", "en": "◂ Previous"},
    "stale_list": {
        "id": "Daftar ini sudah kedaluwarsa. Kirim /artikel lagi.",
        "en": "This list has expired. Send /artikel again.",
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
        "id": "Pelan-pelan ya 🙂 Terlalu banyak pertanyaan sekaligus. Coba lagi dalam {seconds}.",
        "en": "Slow down a little 🙂 Too many questions at once. Try again in {seconds}.",
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
            "🔄 Dimuat ulang dalam {seconds} detik: {added:,} baru, {updated:,} diperbarui, "
            "{removed:,} dihapus, {unchanged:,} tetap, {failed:,} gagal.\n"
            "Sekarang {documents}, {sentences} (revisi {revision})."
        ),
        "en": (
            "🔄 Reloaded in {seconds} s: {added:,} added, {updated:,} updated, "
            "{removed:,} removed, {unchanged:,} unchanged, {failed:,} failed.\n"
            "Now {documents}, {sentences} (revision {revision})."
        ),
    },
    "reload_errors": {"id": "Masalah:", "en": "Problems:"},
    "reload_skipped": {
        "id": "Dilewati (jenis berkas tidak didukung):",
        "en": "Skipped (file type not supported):",
    },
    "store_error": {
        "id": "⚠️ Basis data sedang tidak bisa dipakai, tidak ada yang diubah: {error}",
        "en": "⚠️ The database cannot be used right now; nothing was changed: {error}",
    },
    "busy": {
        "id": "Perubahan konten lain sedang berjalan; tunggu sebentar lalu coba lagi.",
        "en": "Another content change is running; wait a moment and try again.",
    },
    "ingest_done": {
        "id": "✅ Artikel #{id} {status}: {title} ({sentences}).",
        "en": "✅ Article #{id} {status}: {title} ({sentences}).",
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
            "• kirim berkas .txt, .md atau .html (bisa dengan keterangan /tambah)\n"
            "• balas sebuah pesan teks dengan <code>/tambah Judul</code>"
        ),
        "en": (
            "How to add an article:\n• <code>/tambah https://example.com/news</code>\n"
            "• send a .txt, .md or .html file (optionally captioned /tambah)\n"
            "• reply to a text message with <code>/tambah Title</code>"
        ),
    },
    "upload_too_large": {
        "id": "❌ Berkas terlalu besar ({size}); batasnya {limit}.",
        "en": "❌ The file is too large ({size}); the limit is {limit}.",
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
            "📊 <b>Statistik</b>\nPertanyaan: {questions:,}\nTerjawab: {answered:,} ({share})\n"
            "Tidak terjawab: {abstained:,}\nUmpan balik: 👍 {up:,} · 👎 {down:,}\n"
            "Median waktu jawab: {p50} ms"
        ),
        "en": (
            "📊 <b>Statistics</b>\nQuestions: {questions:,}\nAnswered: {answered:,} ({share})\n"
            "Not answered: {abstained:,}\nFeedback: 👍 {up:,} · 👎 {down:,}\n"
            "Median answer time: {p50} ms"
        ),
    },
    "stats_embedded": {
        "id": "Kalimat dengan embedding (pemeringkatan semantik): {sentences:,}",
        "en": "Sentences with embeddings (semantic re-ranking): {sentences:,}",
    },
    "stats_top": {"id": "<b>Paling sering ditanyakan</b>", "en": "<b>Most asked</b>"},
    "langganan_usage": {
        "id": (
            "Tulis alamat feed RSS/Atom: <code>/langganan https://contoh.id/rss</code> "
            "(boleh dengan interval: <code>/langganan URL 15m</code>)."
        ),
        "en": (
            "Give an RSS/Atom feed URL: <code>/langganan https://example.com/rss</code> "
            "(optionally with an interval: <code>/langganan URL 15m</code>)."
        ),
    },
    "langganan_bad_interval": {
        "id": "❌ Interval {value} tidak dikenal: pakai mis. 90s, 15m, 2h (paling cepat 5s).",
        "en": "❌ Unknown interval {value}: use e.g. 90s, 15m, 2h (at least 5s).",
    },
    "langganan_done": {
        "id": "📰 Berlangganan feed #{id}: {url}\nDiperiksa tiap {every}.",
        "en": "📰 Subscribed to feed #{id}: {url}\nChecked every {every}.",
    },
    "langganan_again": {
        "id": "📰 Feed #{id} sudah dilanggan: {url}\nKini diperiksa tiap {every}.",
        "en": "📰 Feed #{id} was already subscribed: {url}\nNow checked every {every}.",
    },
    "langganan_refused": {
        "id": "❌ Feed {url} tidak bisa dilanggan: {error}",
        "en": "❌ Cannot subscribe to {url}: {error}",
    },
    "feed_polled": {
        "id": "{entries}, {stored} baru/diperbarui, {failed:,} gagal.",
        "en": "{entries}, {stored} new or updated, {failed:,} failed.",
    },
    "feed_left": {
        "id": "{left} lagi diambil pada pemeriksaan berikutnya.",
        "en": "{left} left for the next checks.",
    },
    "feed_not_modified": {"id": "Tidak ada yang baru.", "en": "Nothing new."},
    "feed_failed": {
        "id": "⚠️ Feed belum bisa dibaca: {error}\nAkan dicoba lagi nanti.",
        "en": "⚠️ The feed cannot be read yet: {error}\nIt will be tried again later.",
    },
    "berhenti_usage": {
        "id": "Tulis ID feed: <code>/berhenti 2</code> (lihat /feeds).",
        "en": "Give the feed id: <code>/berhenti 2</code> (see /feeds).",
    },
    "berhenti_done": {
        "id": "🛑 Langganan feed #{id} dihentikan; artikelnya tetap ada.",
        "en": "🛑 Feed #{id} unsubscribed; its articles stay.",
    },
    "berhenti_missing": {"id": "Tidak ada feed #{id}.", "en": "There is no feed #{id}."},
    "feeds_empty": {
        "id": "Belum ada feed. Tambahkan dengan <code>/langganan URL</code>.",
        "en": "No feeds yet. Add one with <code>/langganan URL</code>.",
    },
    "feeds_unavailable": {
        "id": "Feed tidak tersedia di bot ini.",
        "en": "Feeds are not available in this bot.",
    },
    "feeds_header": {"id": "<b>Feed</b>", "en": "<b>Feeds</b>"},
    "feeds_row": {
        "id": ("#{id} {title}\n{url}\ntiap {every} · {articles} · terakhir berhasil: {success}"),
        "en": ("#{id} {title}\n{url}\nevery {every} · {articles} · last success: {success}"),
    },
    "feeds_error": {
        "id": "⚠️ galat terakhir {when} ({failures}× berturut-turut): {error}",
        "en": "⚠️ last error {when} ({failures}× in a row): {error}",
    },
    "feeds_never": {"id": "belum pernah", "en": "never"},
    "kabari_usage": {
        "id": "Kabari chat ini tentang artikel baru dari feed: <code>/kabari on</code> atau "
        "<code>/kabari off</code>.",
        "en": "Tell this chat about new articles from feeds: <code>/kabari on</code> or "
        "<code>/kabari off</code>.",
    },
    "kabari_on": {
        "id": "🔔 Chat ini akan diberi tahu tentang artikel baru.",
        "en": "🔔 This chat will be told about new articles.",
    },
    "kabari_off": {
        "id": "🔕 Chat ini tidak lagi diberi tahu tentang artikel baru.",
        "en": "🔕 This chat will no longer be told about new articles.",
    },
    "kabari_admins_only": {
        "id": "Di grup, hanya admin grup yang bisa mengubah pemberitahuan.",
        "en": "In groups, only the group's admins can change notifications.",
    },
    "kabari_news": {
        "id": "🆕 <b>Artikel baru</b>\n{titles}\nTanyakan apa saja tentangnya.",
        "en": "🆕 <b>New articles</b>\n{titles}\nAsk me anything about them.",
    },
    "kabari_more": {"id": "… dan {n:,} lainnya", "en": "… and {n:,} more"},
    "stats_unanswered": {"id": "<b>Belum terjawab</b>", "en": "<b>Not answered</b>"},
    "language_set": {"id": "Bahasa chat ini: Indonesia.", "en": "This chat's language: English."},
    "language_usage": {
        "id": "Pilih bahasa: <code>/bahasa id</code> atau <code>/bahasa en</code>.",
        "en": "Choose a language: <code>/bahasa id</code> or <code>/bahasa en</code>.",
    },
    "language_admins_only": {
        "id": "Maaf, di grup hanya admin grup yang dapat mengganti bahasa bot.",
        "en": "Sorry, in a group only the group's admins can change the bot's language.",
    },
    "inline_none_title": {"id": "Tidak ada di artikel", "en": "Not in the articles"},
    "inline_help_title": {
        "id": "Tulis pertanyaan tentang berita",
        "en": "Type a question about the news",
    },
}


# Plain text (escaped after filling). Parameters: see the raise sites in index/.
_ERRORS: Final[dict[ErrorKey, dict[Language, str]]] = {
    "empty": {"id": "{name} kosong", "en": "{name} is empty"},
    "binary": {
        "id": "{name} bukan berkas teks (berkas biner)",
        "en": "{name} is a binary file, not text",
    },
    "binary_format": {
        "id": "{name} adalah berkas {format}, bukan teks",
        "en": "{name} is a {format} file, not text",
    },
    "unknown_encoding": {
        "id": "{name} bukan teks UTF-8 dan pengodeannya tidak dikenali; simpan sebagai UTF-8",
        "en": "{name} is not UTF-8 text and its encoding cannot be detected; save it as UTF-8",
    },
    "invalid_encoding": {
        "id": "{name} bukan teks {encoding} yang sah",
        "en": "{name} is not valid {encoding} text",
    },
    "unsupported_type": {
        "id": "{name}: jenis berkas {suffix} tidak didukung; gunakan {allowed}",
        "en": "{name}: unsupported file type {suffix}; use {allowed}",
    },
    "too_large": {
        "id": "{name} lebih besar dari {limit_mb} MB",
        "en": "{name} is larger than {limit_mb} MB",
    },
    "too_long": {
        "id": "{name} berisi {chars:,} karakter; batas satu artikel {limit:,} karakter",
        "en": "{name} has {chars:,} characters of text; the limit for one article is {limit:,}",
    },
    "no_article_text": {
        "id": "tidak ada teks artikel di {name} (hanya menu, tautan atau keterangan gambar)",
        "en": "{name} has no article text (only menus, links or captions)",
    },
    "no_sentences": {
        "id": "{name} tidak berisi kalimat dengan kata-kata",
        "en": "{name} has no sentences with words",
    },
    "cannot_read": {
        "id": "tidak dapat membaca {name}: {reason}",
        "en": "cannot read {name}: {reason}",
    },
    "invalid_utf8": {
        "id": "{name} bukan UTF-8 yang sah (baris {line}); simpan sebagai UTF-8",
        "en": "{name} is not valid UTF-8 (line {line}); save it as UTF-8",
    },
    "invalid_url": {"id": "{url} bukan URL yang sah", "en": "{url} is not a valid URL"},
    "only_http": {
        "id": "hanya URL http dan https yang bisa ditambahkan, bukan {scheme}",
        "en": "only http and https URLs can be added, not {scheme}",
    },
    "no_host": {"id": "{url} tidak memiliki nama host", "en": "{url} has no host name"},
    "unresolvable_host": {
        "id": "alamat host {host} tidak ditemukan",
        "en": "cannot resolve the host {host}",
    },
    "private_address": {
        "id": (
            "{host} mengarah ke alamat jaringan privat/lokal ({addresses}); "
            "hanya halaman web publik yang bisa ditambahkan"
        ),
        "en": (
            "{host} points to a private or local address ({addresses}); "
            "only public web pages can be added"
        ),
    },
    "timeout": {
        "id": "{url} tidak menjawab dalam {seconds:g} detik",
        "en": "{url} did not answer within {seconds:g} s",
    },
    "cannot_connect": {
        "id": "tidak dapat terhubung ke {host}: {reason}",
        "en": "cannot connect to {host}: {reason}",
    },
    "download_failed": {
        "id": "gagal mengunduh {url}: {reason}",
        "en": "downloading {url} failed: {reason}",
    },
    "download_too_slow": {
        "id": "mengunduh {url} butuh lebih dari {seconds:g} detik",
        "en": "{url} took longer than {seconds:g} s to download",
    },
    "too_many_redirects": {
        "id": "{url} dialihkan lebih dari {limit} kali",
        "en": "{url} redirects more than {limit} times",
    },
    "http_status": {
        "id": "{url} menjawab HTTP {status} {reason}",
        "en": "{url} answered HTTP {status} {reason}",
    },
    "not_a_page": {
        "id": "{url} menjawab HTTP {status}, bukan sebuah halaman",
        "en": "{url} answered HTTP {status} instead of a page",
    },
    "not_html": {
        "id": "{url} bukan halaman HTML (jenis konten {content_type})",
        "en": "{url} is not an HTML page (content type {content_type})",
    },
    "not_a_feed": {
        "id": "{url} bukan feed RSS atau Atom ({reason})",
        "en": "{url} is not an RSS or Atom feed ({reason})",
    },
    "malformed_feed": {
        "id": "{url} bukan XML yang sah ({reason})",
        "en": "{url} is not well-formed XML ({reason})",
    },
    "too_many_entries": {
        "id": "{url} berisi {count:,} entri; paling banyak {limit:,} yang dibaca",
        "en": "{url} has {count:,} entries; at most {limit:,} are read",
    },
    "no_such_feed": {"id": "tidak ada langganan feed #{id}", "en": "there is no feed #{id}"},
    "duplicate": {
        "id": "teksnya sama dengan artikel #{id}",
        "en": "same text as article #{id}",
    },
    "database_error": {
        "id": "kesalahan basis data ({reason})",
        "en": "database error ({reason})",
    },
    "database_unavailable": {
        "id": "basis data tidak tersedia ({reason})",
        "en": "the database is not available ({reason})",
    },
    "content_dir_missing": {
        "id": "folder konten {path} tidak ada (CONTENT_DIR)",
        "en": "content directory {path} does not exist (CONTENT_DIR)",
    },
    "no_store": {
        "id": "layanan ini tidak memiliki penyimpanan konten",
        "en": "this service has no content store",
    },
    "reload_failed": {"id": "muat ulang gagal: {reason}", "en": "reload failed: {reason}"},
    "count_failed": {
        "id": "penghitungan artikel gagal: {reason}",
        "en": "counting documents failed: {reason}",
    },
}


class _NumberFormatter(string.Formatter):
    """``str.format`` with Indonesian number punctuation (1.234,5) for ``id``."""

    def __init__(self, lang: Language) -> None:
        super().__init__()
        self._swap = lang == "id"

    def format_field(self, value: object, format_spec: str) -> str:
        formatted = str(super().format_field(value, format_spec))
        if self._swap and isinstance(value, int | float) and not isinstance(value, bool):
            formatted = formatted.translate(_SWAP_POINTS)
        return formatted


_SWAP_POINTS: Final = str.maketrans(",.", ".,")


def error_text(lang: str, key: str | None, params: Mapping[str, ErrorParam]) -> str | None:
    """The store error ``key`` in ``lang`` with ``params`` filled in (plain text, not yet
    escaped), or ``None`` when there is no template for the key or the parameters do not fit
    it — then the caller shows the English message."""
    # Any string may come in (a newer store, a test fake): an unknown key finds nothing.
    entry = _ERRORS.get(cast(ErrorKey, key)) if key is not None else None
    if entry is None:
        return None
    language = _as_language(lang) or "id"
    try:
        return _NumberFormatter(language).vformat(entry[language], (), params)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None


def _as_language(value: str | None) -> Language | None:
    if value == "en":
        return "en"
    if value == "id":
        return "id"
    return None


def text(lang: str, key: str, **values: object) -> str:
    """The message ``key`` in ``lang`` (Indonesian when the language is not in the catalogue).

    Numbers follow the language: ``{n:,}`` is 3.464 in Indonesian and 3,464 in English,
    ``{s:.1f}`` is 0,5 and 0.5."""
    language = _as_language(lang) or "id"
    template = _CATALOGUE[key][language]
    return _NumberFormatter(language).vformat(template, (), values) if values else template


_MARKUP = re.compile(r"</?[a-z]+>")


def plain_text(lang: str, key: str, **values: object) -> str:
    """``text`` for a terminal: the template's HTML tags dropped (templates hold no entities;
    ``values`` are plain text here, not escaped)."""
    return _MARKUP.sub("", text(lang, key, **values))


# noun -> language -> (singular, plural); Indonesian nouns do not change.
_NOUNS: Final[dict[str, dict[Language, tuple[str, str]]]] = {
    "article": {"id": ("artikel", "artikel"), "en": ("article", "articles")},
    "sentence": {"id": ("kalimat", "kalimat"), "en": ("sentence", "sentences")},
    "second": {"id": ("detik", "detik"), "en": ("second", "seconds")},
    "entry": {"id": ("entri", "entri"), "en": ("entry", "entries")},
}


def count(lang: str, noun: str, n: int) -> str:
    """``n`` and ``noun`` in ``lang``: "1 sentence", "3,464 articles", "3.464 artikel"."""
    language = _as_language(lang) or "id"
    singular, plural = _NOUNS[noun][language]
    noun_form = singular if n == 1 else plural
    return _NumberFormatter(language).format("{n:,} {noun}", n=n, noun=noun_form)


def megabytes(lang: str, size: int) -> str:
    """A file size in MB (MiB), rounded *up* to a tenth, so a file over a limit never reads as
    the limit itself: "2 MB", "2,1 MB" (id), "50.1 MB" (en)."""
    value = math.ceil(size * 10 / (1024 * 1024)) / 10
    return number(lang, value, 0 if value.is_integer() else 1) + " MB"


def number(lang: str, value: float, decimals: int = 0) -> str:
    """``value`` with the language's punctuation: 1.234,5 (id) or 1,234.5 (en)."""
    language = _as_language(lang) or "id"
    return _NumberFormatter(language).format(f"{{v:,.{decimals}f}}", v=value)


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
