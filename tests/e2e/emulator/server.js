#!/usr/bin/env node
// Starts telegram-test-api 4.2.1 (a Bot API emulator) on a local port, with a small
// compatibility shim for python-telegram-bot 22. The shim's express routes are put in front
// of the library's own (the library registers its route list in order in its constructor,
// and express uses the first matching route), so nothing in node_modules is edited.
//
// Fixes, each a gap between the emulator and the real Bot API:
//  - getMe has no is_bot (PTB cannot initialise without it);
//  - sent messages come back with `date` in milliseconds and without `from`;
//  - editMessageText / editMessageReplyMarkup return `result: null` (and succeed for
//    messages that do not exist, where Telegram answers 400);
//  - callback queries lack `chat_instance` (PTB then drops the whole getUpdates batch);
//  - webhooks: no X-Telegram-Bot-Api-Secret-Token header, and a failed delivery is an
//    unhandled promise rejection that kills node;
//  - setMyCommands is unknown (answered like Telegram: true).
// Two additions for tests: answerCallbackQuery calls are kept (POST /getCallbackAnswers),
// and POST /waitUpdates long-polls for the bot's messages to one chat.
//
// Usage: node server.js --port 0 [--host 127.0.0.1] [--bot-username Name] [--bot-id 1]
//        [--telegram-offsets]
// Prints one line `listening http://HOST:PORT` when ready; stops on SIGTERM/SIGINT.
'use strict';

const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '0'));
const botUser = {
  id: Number(option('bot-id', '777000')),
  is_bot: true,
  first_name: 'Tanya Berita',
  username: option('bot-username', 'TanyaTestBot'),
};
const chatTypes = new Map(); // chat id -> type, learnt from the fake users' messages
const callbackAnswers = []; // answerCallbackQuery calls, for the tests to read back

function seconds(ms) {
  return Math.floor(Number(ms) / 1000);
}

function parseJson(value) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (_e) {
    return value;
  }
}

// A Bot API Message object for a message the bot stored in the emulator.
function asMessage(stored) {
  const raw = stored.message;
  const chatId = Number(raw.chat_id);
  const message = {
    message_id: stored.messageId,
    date: seconds(stored.time),
    chat: { id: chatId, type: chatTypes.get(chatId) || 'private' },
    from: botUser,
    text: raw.text,
  };
  const markup = parseJson(raw.reply_markup);
  if (markup && markup.inline_keyboard) message.reply_markup = markup;
  if (raw.message_thread_id !== undefined) message.message_thread_id = Number(raw.message_thread_id);
  return message;
}

// An error answer as Telegram sends it: the HTTP status and the JSON body agree.
function fail(res, code, description) {
  res.status(code).json({ ok: false, error_code: code, description });
}

function findBotMessage(server, body) {
  return server.storage.botMessages.find((m) => String(m.messageId) === String(body.message_id)
    && String(m.message.chat_id) === String(body.chat_id));
}

const shimRoutes = [
  (app) => {
    app.all('/bot:token/getMe', (_req, res) => res.sendResult({
      ok: true,
      result: {
        ...botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true,
      },
    }));
  },
  (app) => {
    app.all('/bot:token/setMyCommands', (_req, res) => res.sendResult({ ok: true, result: true }));
  },
  // Not a fix: the library answers answerCallbackQuery but forgets it; keep it so that a
  // test can see what the user was told (client route /getCallbackAnswers {token}).
  (app) => {
    app.all('/bot:token/answerCallbackQuery', (req, res) => {
      callbackAnswers.push({ botToken: req.params.token, ...req.body });
      res.sendResult({ ok: true, result: true });
    });
    app.post('/getCallbackAnswers', (req, res) => res.sendResult({
      ok: true, result: callbackAnswers.filter((a) => a.botToken === req.body.token),
    }));
  },
  (app, server) => {
    app.all('/bot:token/sendMessage', (req, res) => {
      server.addBotMessage(req.body, req.params.token);
      const stored = server.storage.botMessages[server.storage.botMessages.length - 1];
      res.sendResult({ ok: true, result: asMessage(stored) });
    });
  },
  (app, server) => {
    const edit = (method) => (req, res) => {
      const stored = findBotMessage(server, req.body);
      if (!stored) {
        fail(res, 400, 'Bad Request: message to edit not found');
        return;
      }
      server[method](req.body);
      res.sendResult({ ok: true, result: asMessage(stored) });
    };
    app.all('/bot:token/editMessageText', edit('editMessageText'));
    app.all('/bot:token/editMessageReplyMarkup', edit('editMessageReplyMarkup'));
  },
  (app, server) => {
    app.all('/bot:token/setWebhook', (req, res) => {
      const hook = req.body.url ? req.body : req.query;
      if (!hook.url) {
        fail(res, 400, 'Bad Request: url is empty');
        return;
      }
      server.setWebhook({ url: hook.url, secret_token: hook.secret_token }, req.params.token);
      res.sendResult({ ok: true, result: true });
    });
  },
  // Not a fix: a long-polling variant of the client's /getUpdates, so that a fake user sees
  // a reply the moment the bot sends it (no polling delay in the measured round trip).
  // POST /waitUpdates {token, chatId, timeout (s)} -> unread bot messages for that chat.
  (app, server) => {
    app.post('/waitUpdates', (req, res) => {
      const { token, chatId } = req.body;
      const take = () => {
        const found = server.storage.botMessages.filter((m) => m.botToken === token
          && String(m.message.chat_id) === String(chatId) && !m.isRead);
        found.forEach((m) => { m.isRead = true; });
        return found;
      };
      const ready = take();
      if (ready.length) {
        res.sendResult({ ok: true, result: ready });
        return;
      }
      let timer = null;
      const onMessage = () => {
        // only the message just added can be new for this chat: no scan of the whole store
        const added = server.storage.botMessages[server.storage.botMessages.length - 1];
        if (!added || added.isRead || added.botToken !== token
          || String(added.message.chat_id) !== String(chatId)) return;
        added.isRead = true;
        server.off('AddedBotMessage', onMessage);
        clearTimeout(timer);
        res.sendResult({ ok: true, result: [added] });
      };
      timer = setTimeout(() => {
        server.off('AddedBotMessage', onMessage);
        res.sendResult({ ok: true, result: [] });
      }, Math.min(Number(req.body.timeout) || 10, 60) * 1000);
      server.on('AddedBotMessage', onMessage);
    });
  },
  // Client side: await the update so that a failed webhook delivery is an HTTP error for
  // the fake user instead of an unhandled rejection.
  (app, server) => {
    const client = (method) => async (req, res) => {
      const body = req.body;
      const chat = body.chat || (body.message && body.message.chat);
      if (chat && chat.type) chatTypes.set(Number(chat.id), chat.type);
      try {
        await server[method](body);
        res.sendResult({ ok: true, result: null });
      } catch (error) {
        fail(res, 502, String(error));
      }
    };
    app.post('/sendMessage', client('addUserMessage'));
    app.post('/sendCommand', client('addUserCommand'));
    app.post('/sendCallback', client('addUserCallback'));
  },
];

// Opt-in (--telegram-offsets): getUpdates with Telegram's offset semantics instead of the
// library's "delivered once = gone". An update stays pending until a getUpdates call with an
// offset above its update_id confirms it; so a bot that dies before confirming gets it again
// on restart, and one that confirms too early loses it — what a shutdown test must see.
if (process.argv.includes('--telegram-offsets')) {
  shimRoutes.unshift((app, server) => {
    app.all('/bot:token/getUpdates', (req, res) => {
      const { token } = req.params;
      const params = { ...req.query, ...req.body };
      const offset = Number(params.offset) || 0;
      const limit = Math.min(Math.max(Number(params.limit) || 100, 1), 100);
      const mine = (u) => u.botToken === token;
      if (offset > 0) {
        server.storage.userMessages = server.storage.userMessages
          .filter((u) => !mine(u) || u.updateId >= offset);
      }
      const pending = server.storage.userMessages.filter(mine)
        .sort((a, b) => a.updateId - b.updateId).slice(0, limit);
      pending.forEach((u) => { u.isRead = true; });
      res.sendResult({ ok: true, result: pending.map((u) => TelegramServer.formatUpdate(u)) });
    });
  });
}

const originalFormat = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = originalFormat(update);
  if (formatted.callback_query) {
    const { message } = formatted.callback_query;
    formatted.callback_query.chat_instance = String(message && message.chat ? message.chat.id : 0);
  }
  return formatted;
};

routes.unshift(...shimRoutes);
const server = new TelegramServer({ host, port: port || 9000, storeTimeout: 24 * 3600 });
server.setMaxListeners(0); // one listener per waiting fake user

// Webhook delivery with the secret token header, using node's own fetch.
server.addUserUpdate = async function addUserUpdate(update) {
  const hook = this.webhooks[update.botToken];
  if (hook) {
    const headers = { 'Content-Type': 'application/json' };
    if (hook.secret_token) headers['X-Telegram-Bot-Api-Secret-Token'] = hook.secret_token;
    const response = await fetch(hook.url, {
      method: 'POST', headers, body: JSON.stringify(TelegramServer.formatUpdate(update)),
    });
    if (response.status > 204) throw new Error(`webhook answered HTTP ${response.status}`);
  } else {
    this.storage.userMessages.push(update);
  }
  this.updateId += 1;
};

// Updates the bot has fetched are never needed again: drop them, so that each getUpdates
// scans only the unread ones (the library filters the whole list on every call).
const libraryGetUpdates = server.getUpdates.bind(server);
server.getUpdates = (token) => {
  const updates = libraryGetUpdates(token);
  if (updates.length) server.storage.userMessages = server.storage.userMessages.filter((u) => !u.isRead);
  return updates;
};

process.on('unhandledRejection', (error) => {
  process.stderr.write(`unhandled rejection: ${error}\n`);
});

async function main() {
  if (!port) {
    // Port 0: let the OS choose, then tell the library (it needs a number up front).
    const net = require('net');
    const probe = net.createServer();
    await new Promise((resolve) => probe.listen(0, host, resolve));
    const chosen = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    server.config.port = chosen;
    server.config.apiURL = `http://${host}:${chosen}`;
  }
  await server.start();
  process.stdout.write(`listening ${server.config.apiURL}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`emulator failed to start: ${error}\n`);
  process.exit(1);
});
