// A minimal Fedify server for tests/interop/test_fedify.py: one actor, "fedi", on plain HTTP.
//
//   node server.mjs [HOST]        (HOST defaults to 127.0.0.30; the port is picked by the OS)
//
// Prints one line on stdout once it listens: `listening http://HOST:PORT`. Logs go to stderr
// (FEDIFY_LOG_LEVEL: debug | info | warning | error, default info).
//
// Besides ActivityPub, it answers a few control endpoints for the test (not part of Fedify):
//   POST /control/follow?target=IRI    fedi looks the actor up and sends it a Follow
//   POST /control/unfollow?target=IRI  fedi sends Undo(Follow) for its earlier Follow
//   GET  /control/state                what fedi's inbox accepted (only verified activities
//                                      reach a listener), what it refused and why, followers
//                                      and accepted follows, and `timeline`: each Create,
//                                      Update, Delete or Announce with its object as Fedify's
//                                      vocabulary parsed it (type, name, summary, content,
//                                      url, hashtags: what a fediverse user reads)
//
// Fedify verifies every inbox POST's signature itself (skipSignatureVerification is left off)
// and answers 401 before any listener runs when it fails: `unverified` records those.
// The followers collection is served only to signed GETs whose key owner Fedify could fetch.
import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { configure } from "@logtape/logtape";
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept,
  Announce,
  Article,
  Create,
  Delete,
  Endpoints,
  Follow,
  Hashtag,
  isActor,
  Person,
  Tombstone,
  Undo,
  Update,
} from "@fedify/vocab";

const HOST = process.argv[2] ?? "127.0.0.30";
const ACTOR = "fedi";

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr: (record) => {
      const message = record.message
        .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
        .join("");
      process.stderr.write(
        `${new Date(record.timestamp).toISOString()} ${record.level} ` +
          `${record.category.join(".")}: ${message}\n`,
      );
    },
  },
  loggers: [
    {
      category: "fedify",
      sinks: ["stderr"],
      lowestLevel: process.env.FEDIFY_LOG_LEVEL ?? "info",
    },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
  ],
});

const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];

const state = {
  received: [], // activities whose signature Fedify verified and a listener handled
  unverified: [], // inbox POSTs Fedify refused: { reason, activity }
  errors: [], // exceptions thrown by listeners
  followers: new Map(), // actor IRI -> { id, inboxId, endpoints }
  following: new Map(), // actor IRI -> "pending" | "accepted"
  sentFollows: new Map(), // actor IRI -> the Follow fedi sent
  timeline: [], // what a fediverse user would read: { activity, actor, object: readable(...) }
};

function summary(activity) {
  return {
    type: activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? null,
  };
}

// A language-tagged value as { text, language }; a plain string stays a string.
function text(value) {
  if (value == null) return null;
  const language = value.locale?.baseName;
  return language == null ? String(value) : { text: String(value), language };
}

// The object as Fedify's vocabulary parsed it: what a fediverse app shows its user.
async function readable(ctx, object) {
  if (object == null) return null;
  const seen = {
    type: object.constructor.name,
    isArticle: object instanceof Article,
    id: object.id?.href ?? null,
  };
  if (object instanceof Tombstone) return seen;
  const tags = [];
  for await (const tag of object.getTags(ctx)) {
    if (tag instanceof Hashtag) tags.push(String(tag.name));
  }
  const url = object.url;
  return {
    ...seen,
    attributedTo: object.attributionId?.href ?? null,
    name: text(object.name),
    summary: text(object.summary),
    content: text(object.content),
    summaries: object.summaries.map(text),
    contents: object.contents.map(text),
    mediaType: object.mediaType ?? null,
    url: url == null ? null : url instanceof URL ? url.href : (url.href?.href ?? null),
    published: object.published?.toString() ?? null,
    updated: object.updated?.toString() ?? null,
    tags,
    to: object.toIds.map((iri) => iri.href),
    cc: object.ccIds.map((iri) => iri.href),
  };
}

// Create, Update and Delete from someone fedi follows, and Announces of a Group it follows:
// the embedded (or, for an Announce, fetched) object goes to the timeline as parsed.
async function onPost(ctx, activity) {
  state.received.push(summary(activity));
  const object = await activity.getObject(ctx);
  state.timeline.push({
    activity: activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: await readable(ctx, object),
  });
}

const server = createServer();
await new Promise((resolve) => server.listen(0, HOST, resolve));
const origin = `http://${HOST}:${server.address().port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  // No queue: activities are delivered and processed inside the request that causes them,
  // so once the control call (or our node's POST) returns, the other side has it.
  origin,
  allowPrivateAddress: true, // our test nodes live on 127.0.0.x
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ACTOR) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify interop actor",
      summary: "A Fedify server run by commonsnode's interop test.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ACTOR ? keyPairs : []))
  .mapHandle((_ctx, username) => (username === ACTOR ? ACTOR : null));

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== ACTOR) return null;
    return { items: [...state.followers.values()] };
  })
  .setCounter((_ctx, identifier) => (identifier === ACTOR ? state.followers.size : null))
  .authorize(async (ctx) => (await ctx.getSignedKeyOwner()) != null);

federation.setObjectDispatcher(
  Follow,
  "/users/{identifier}/follows/{id}",
  (ctx, values) =>
    [...state.sentFollows.values()].find(
      (follow) =>
        follow.id.href === ctx.getObjectUri(Follow, values).href,
    ) ?? null,
);

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    state.received.push(summary(follow));
    const parsed = follow.objectId == null ? null : ctx.parseUri(follow.objectId);
    if (parsed?.type !== "actor" || parsed.identifier !== ACTOR) return;
    const follower = await follow.getActor(ctx);
    if (follower?.id == null || follower.inboxId == null) return;
    state.followers.set(follower.id.href, {
      id: follower.id,
      inboxId: follower.inboxId,
      endpoints: follower.endpoints,
    });
    await ctx.sendActivity(
      { identifier: ACTOR },
      follower,
      new Accept({
        id: new URL(`#accepts/${randomUUID()}`, ctx.getActorUri(ACTOR)),
        actor: ctx.getActorUri(ACTOR),
        object: follow,
      }),
    );
  })
  .on(Accept, async (ctx, accept) => {
    state.received.push(summary(accept));
    // The Follow is embedded but on fedi's origin, not the Accept's: Fedify does not trust
    // such an embed and fetches it by its id, which the object dispatcher below serves.
    const follow = await accept.getObject(ctx);
    const sent = accept.actorId == null ? null : state.sentFollows.get(accept.actorId.href);
    if (follow instanceof Follow && sent != null && follow.id?.href === sent.id.href) {
      state.following.set(accept.actorId.href, "accepted");
    }
  })
  .on(Undo, async (ctx, undo) => {
    state.received.push(summary(undo));
    const object = await undo.getObject(ctx);
    if (object instanceof Follow && undo.actorId != null) {
      state.followers.delete(undo.actorId.href);
    }
  })
  .on(Create, onPost)
  .on(Update, onPost)
  .on(Delete, onPost)
  .on(Announce, onPost)
  .onUnverifiedActivity((_ctx, activity, reason) => {
    state.unverified.push({
      reason: reason.type,
      keyId: reason.keyId?.href ?? null,
      activity: summary(activity),
    });
  })
  .onError((_ctx, error) => {
    state.errors.push(String(error?.stack ?? error));
  });

async function control(request) {
  const url = new URL(request.url);
  const json = (body, status = 200) => Response.json(body, { status });
  if (url.pathname === "/control/state" && request.method === "GET") {
    return json({
      actor: `${origin}/users/${ACTOR}`,
      received: state.received,
      unverified: state.unverified,
      errors: state.errors,
      followers: [...state.followers.keys()],
      following: Object.fromEntries(state.following),
      timeline: state.timeline,
    });
  }
  if (request.method !== "POST") return json({ error: "method" }, 405);
  const target = url.searchParams.get("target");
  if (target == null) return json({ error: "target= is required" }, 400);
  const ctx = federation.createContext(request, undefined);
  const recipient = await ctx.lookupObject(target);
  if (!isActor(recipient)) return json({ error: `${target} is not an actor` }, 422);
  const me = ctx.getActorUri(ACTOR);
  if (url.pathname === "/control/follow") {
    const follow = new Follow({
      id: ctx.getObjectUri(Follow, { identifier: ACTOR, id: randomUUID() }),
      actor: me,
      object: recipient.id,
    });
    state.sentFollows.set(recipient.id.href, follow);
    state.following.set(recipient.id.href, "pending");
    await ctx.sendActivity({ identifier: ACTOR }, recipient, follow);
    return json({ follow: follow.id.href, recipient: recipient.id.href });
  }
  if (url.pathname === "/control/unfollow") {
    const follow = state.sentFollows.get(recipient.id.href);
    if (follow == null) return json({ error: "not following" }, 409);
    const undo = new Undo({
      id: new URL(`#undo/${randomUUID()}`, me),
      actor: me,
      object: follow,
    });
    await ctx.sendActivity({ identifier: ACTOR }, recipient, undo);
    state.following.delete(recipient.id.href);
    return json({ undo: undo.id.href });
  }
  return json({ error: "not found" }, 404);
}

async function handle(request) {
  if (new URL(request.url).pathname.startsWith("/control/")) {
    try {
      return await control(request);
    } catch (error) {
      process.stderr.write(`control error: ${error?.stack ?? error}\n`);
      return Response.json({ error: String(error) }, { status: 500 });
    }
  }
  return await federation.fetch(request, { contextData: undefined });
}

server.on("request", async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url, origin), {
      method: req.method,
      headers,
      body: hasBody ? Buffer.concat(chunks) : undefined,
    });
    const response = await handle(request);
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(body);
  } catch (error) {
    process.stderr.write(`request error: ${error?.stack ?? error}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => process.exit(0));
}

process.stdout.write(`listening ${origin}\n`);
