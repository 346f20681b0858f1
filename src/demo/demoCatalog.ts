// A deterministic, made-up demo catalog (no MovieLens data): ~120 movies,
// ~120 music items (albums and tracks), ~80 games, 300 users and ~20k
// interactions of mixed types.
//
// The data has structure a recommender can find:
// - every user has 1-3 latent taste clusters, each a (kind, genre) pair, and
//   picks items matching them far more often, and rates/plays them higher;
// - item popularity follows a power law (Zipf-like, exponent 0.9), so there
//   are blockbusters and a long tail;
// - directors, cast, artists and studios are tied to genres, so content
//   features agree with the collaborative signal.
// The first three users are fixed personas for demos and tests:
// demo-user-001 loves Sci-Fi movies, demo-user-002 Jazz, demo-user-003 RPGs,
// each with a short history (10 items) so part of their genre is still unseen.
//
// Times are spread over the year before `endsAt`, activity running right up
// to it, so "trending this week" has a week of data. The times are generated
// before a FIXED reference date and then shifted by (endsAt - reference), never
// read from the clock here: the same seed and endsAt give deep-equal output,
// and another endsAt the same output moved in time. The server passes the
// moment it loads the demo.
import { createRng, shuffle, type Rng } from "../engine/random";
import type {
  CatalogData,
  FeatureRecord,
  InteractionRecord,
  InteractionTypeName,
  ItemKindName,
  ItemRecord,
  UserRecord,
} from "../importers/CatalogData";

export const DEMO_REFERENCE_DATE = new Date("2026-11-01T00:00:00Z");

export const DEMO_MOVIE_GENRES = [
  "Sci-Fi", "Drama", "Comedy", "Thriller", "Horror", "Romance", "Animation", "Documentary", "Action", "Fantasy",
] as const;
export const DEMO_MUSIC_GENRES = ["Rock", "Pop", "Jazz", "Electronic", "Hip-Hop", "Classical", "Folk", "Metal"] as const;
export const DEMO_GAME_GENRES = [
  "RPG", "Strategy", "Shooter", "Puzzle", "Platformer", "Simulation", "Racing", "Adventure",
] as const;

const MOVIE_COUNT = 120;
const ALBUM_COUNT = 40;
const TRACKS_PER_ALBUM = 2;
const GAME_COUNT = 80;
const USER_COUNT = 300;
const DAY_MS = 86_400_000;

// Title words per genre: [adjectives, nouns].
const MOVIE_WORDS: Record<string, [string[], string[]]> = {
  "Sci-Fi": [["Silent", "Distant", "Quantum", "Orbital", "Final", "Hollow", "Ninth"], ["Horizon", "Signal", "Colony", "Drift", "Eclipse", "Station", "Frontier"]],
  Drama: [["Quiet", "Long", "Broken", "Golden", "Last", "Borrowed"], ["Summer", "Harbor", "Inheritance", "Orchard", "Winter", "Daughters"]],
  Comedy: [["Accidental", "Reluctant", "Wrong", "Lucky", "Terrible", "Fabulous"], ["Wedding", "Roommate", "Vacation", "Neighbors", "Weekend", "Heist"]],
  Thriller: [["Cold", "Hidden", "Seventh", "Blind", "Crimson", "Quiet"], ["Witness", "Ledger", "Alibi", "Cipher", "Corridor", "Verdict"]],
  Horror: [["Pale", "Crooked", "Drowned", "Whispering", "Black", "Rotten"], ["House", "Choir", "Well", "Hour", "Marsh", "Attic"]],
  Romance: [["Brief", "Endless", "Second", "Midnight", "Autumn", "Borrowed"], ["Letters", "Promise", "Waltz", "Season", "Garden", "Affair"]],
  Animation: [["Little", "Brave", "Clockwork", "Lantern", "Tiny", "Wandering"], ["Fox", "Robot", "Dragon", "Kingdom", "Island", "Balloon"]],
  Documentary: [["Vanishing", "Hidden", "Forgotten", "Deep", "Untold", "Rising"], ["Reefs", "Archives", "Rivers", "Glaciers", "Voices", "Cities"]],
  Action: [["Iron", "Rogue", "Steel", "Burning", "Red", "Dead"], ["Protocol", "Run", "Fury", "Strike", "Line", "Convoy"]],
  Fantasy: [["Ashen", "Emerald", "Shattered", "Sunken", "Starlit", "Thorned"], ["Crown", "Throne", "Forest", "Oath", "Tower", "Blade"]],
};

const MOVIE_TAGS: Record<string, string[]> = {
  "Sci-Fi": ["space", "artificial intelligence", "time travel", "dystopia", "first contact"],
  Drama: ["family", "coming of age", "based on a true story", "slow burn", "character study"],
  Comedy: ["feel-good", "satire", "road trip", "ensemble cast", "romantic comedy"],
  Thriller: ["twist ending", "conspiracy", "heist", "psychological", "cat and mouse"],
  Horror: ["haunted house", "slasher", "folk horror", "creature feature", "found footage"],
  Romance: ["period piece", "second chances", "long distance", "wedding", "star-crossed"],
  Animation: ["family friendly", "hand-drawn", "talking animals", "musical", "stop motion"],
  Documentary: ["nature", "history", "music", "true crime", "science"],
  Action: ["martial arts", "car chase", "revenge", "spy", "heist"],
  Fantasy: ["magic", "dragons", "quest", "fairy tale", "epic"],
};

const MUSIC_WORDS: [string[], string[]] = [
  ["Neon", "Velvet", "Paper", "Midnight", "Golden", "Electric", "Hollow", "Silver", "Northern", "Slow", "Wild", "Glass"],
  ["Tides", "Hearts", "Satellites", "Rivers", "Echoes", "Static", "Gardens", "Skylines", "Fires", "Waves", "Letters", "Ghosts"],
];
const TRACK_WORDS: [string[], string[]] = [
  ["Falling", "Running", "Burning", "Drifting", "Waiting", "Dancing", "Breaking", "Chasing", "Holding", "Fading"],
  ["Light", "Home", "Gravity", "Shadows", "Thunder", "Stars", "Water", "Slowly", "Tonight", "Again", "Blue", "Gold"],
];
const MUSIC_TAGS: Record<string, string[]> = {
  Rock: ["guitar", "anthemic", "live energy"],
  Pop: ["catchy", "upbeat", "dance"],
  Jazz: ["instrumental", "late night", "smooth"],
  Electronic: ["synth", "ambient", "club"],
  "Hip-Hop": ["lyrical", "boom bap", "trap"],
  Classical: ["orchestral", "piano", "chamber"],
  Folk: ["acoustic", "storytelling", "mellow"],
  Metal: ["heavy", "fast", "dark"],
};

const GAME_WORDS: Record<string, [string[], string[]]> = {
  RPG: [["Ember", "Crystal", "Fallen", "Eternal", "Shadow"], ["Saga", "Chronicles", "Legacy", "Oath", "Realms"]],
  Strategy: [["Iron", "Grand", "Last", "Northern", "Crimson"], ["Empires", "Dominion", "Frontiers", "Tactics", "Command"]],
  Shooter: [["Dead", "Black", "Zero", "Rogue", "Hard"], ["Zone", "Protocol", "Signal", "Breach", "Recoil"]],
  Puzzle: [["Tiny", "Folded", "Quiet", "Clever", "Lost"], ["Tiles", "Lanterns", "Gears", "Mirrors", "Rooms"]],
  Platformer: [["Super", "Jumping", "Little", "Pixel", "Bouncy"], ["Quest", "Heights", "Caverns", "Clouds", "Sprout"]],
  Simulation: [["Sunny", "Green", "Busy", "Harbor", "Cozy"], ["Farm", "Town", "Airport", "Kitchen", "Valley"]],
  Racing: [["Turbo", "Midnight", "Dust", "Neon", "Rally"], ["Circuit", "Drift", "Highway", "Grand Prix", "Rush"]],
  Adventure: [["Sunken", "Forgotten", "Distant", "Painted", "Silent"], ["Isles", "Expedition", "Odyssey", "Passage", "Lighthouse"]],
};
const GAME_TAGS = ["open world", "co-op", "roguelike", "story rich", "multiplayer", "cozy", "competitive", "pixel art", "VR"];
const PLATFORMS = ["PC", "PlayStation", "Xbox", "Switch", "Mobile"];
const STUDIO_WORDS = ["Lantern", "Harbor", "Quiet Fox", "Ironbark", "Bluefin", "Paper Crane", "Northlight", "Tidewater"];
const STUDIO_SUFFIXES = ["Studios", "Games", "Interactive", "Works"];

const FIRST_NAMES = [
  "Nova", "Ada", "Theo", "Mira", "Jonah", "Iris", "Felix", "Lena", "Oscar", "Ruby",
  "Silas", "Maya", "Elias", "Clara", "Hugo", "June", "Arlo", "Vera", "Milo", "Nora",
];
const LAST_NAMES = [
  "Lane", "Hart", "Vance", "Okafor", "Lindqvist", "Moreau", "Castillo", "Brennan", "Sato", "Adeyemi",
  "Kowalski", "Reyes", "Whitfield", "Novak", "Ferreira", "Haddad", "Park", "Quinn", "Ellison", "Duarte",
];

interface Taste {
  kind: ItemKindName;
  genre: string;
}

// What the generator knows about an item beyond its record.
interface ItemSpec {
  record: ItemRecord;
  genre: string; // primary
  secondGenre: string | null;
  popularity: number;
  quality: number; // how much better than average everyone finds it
}

export function generateDemoCatalog(seed = 42, endsAt: Date = DEMO_REFERENCE_DATE): CatalogData {
  const rng = createRng(seed);
  const names = personNames(rng);
  const specs = [...generateMovies(rng, names), ...generateMusic(rng, names), ...generateGames(rng)];
  assignPopularity(specs, rng);
  const users = generateUsers(rng);
  const shift = endsAt.getTime() - DEMO_REFERENCE_DATE.getTime();
  const interactions = generateInteractions(users, specs, rng).map((x) => (shift === 0 ? x : { ...x, occurredAt: new Date(x.occurredAt.getTime() + shift) }));
  return {
    users: users.map((u) => u.record),
    items: specs.map((s) => s.record),
    interactions,
  };
}

// ---------------------------------------------------------------------------
// Items

function generateMovies(rng: Rng, names: () => string): ItemSpec[] {
  const usedTitles = new Set<string>();
  // Three directors and six actors per genre, so people carry genre signal.
  const directors = new Map(DEMO_MOVIE_GENRES.map((g) => [g, [names(), names(), names()]]));
  const actors = new Map(DEMO_MOVIE_GENRES.map((g) => [g, Array.from({ length: 6 }, names)]));
  const specs: ItemSpec[] = [];
  for (let i = 0; i < MOVIE_COUNT; i++) {
    const genre = DEMO_MOVIE_GENRES[i % DEMO_MOVIE_GENRES.length];
    const secondGenre = rng.next() < 0.4 ? pickOther(rng, DEMO_MOVIE_GENRES, genre) : null;
    const [adjectives, nouns] = MOVIE_WORDS[genre];
    const title = uniqueTitle(usedTitles, rng, () => {
      const phrase = `${pick(rng, adjectives)} ${pick(rng, nouns)}`;
      return rng.next() < 0.6 ? `The ${phrase}` : phrase;
    });
    const year = recentYear(rng, 1975);
    const director = pick(rng, directors.get(genre)!);
    const cast = new Set<string>();
    while (cast.size < 3) {
      const pool = cast.size === 2 && secondGenre !== null ? actors.get(secondGenre)! : actors.get(genre)!;
      cast.add(pick(rng, pool));
    }
    const features: FeatureRecord[] = [
      { facet: "genre", value: genre, weight: 1 },
      ...(secondGenre === null ? [] : [{ facet: "genre", value: secondGenre, weight: 1 }]),
      { facet: "director", value: director, weight: 1 },
      ...[...cast].map((value) => ({ facet: "cast", value, weight: 1 })),
      ...distinctPicks(rng, MOVIE_TAGS[genre], 1 + rng.int(2)).map((value) => ({ facet: "tag", value, weight: 1 })),
      ...yearFeatures(year),
    ];
    specs.push({
      record: {
        externalId: `demo-movie-${pad(i + 1)}`,
        kind: "MOVIE",
        title,
        releaseYear: year,
        description: `A ${genre.toLowerCase()} film directed by ${director}.`,
        attributes: { runtimeMinutes: 80 + rng.int(80) },
        features,
      },
      genre,
      secondGenre,
      popularity: 0,
      quality: 0,
    });
  }
  return specs;
}

function generateMusic(rng: Rng, names: () => string): ItemSpec[] {
  const usedTitles = new Set<string>();
  // Three artists per genre: solo names ("Nova Lane") or bands ("The Velvet Tides").
  const artists = new Map<string, string[]>();
  const usedArtists = new Set<string>();
  for (const genre of DEMO_MUSIC_GENRES) {
    artists.set(
      genre,
      Array.from({ length: 3 }, () =>
        rng.next() < 0.5
          ? names()
          : uniqueTitle(usedArtists, rng, () => `The ${pick(rng, MUSIC_WORDS[0])} ${pick(rng, MUSIC_WORDS[1])}`),
      ),
    );
  }
  const specs: ItemSpec[] = [];
  let number = 0;
  for (let a = 0; a < ALBUM_COUNT; a++) {
    const genre = DEMO_MUSIC_GENRES[a % DEMO_MUSIC_GENRES.length];
    const artist = pick(rng, artists.get(genre)!);
    const year = recentYear(rng, 1965);
    const tags = distinctPicks(rng, MUSIC_TAGS[genre], 1 + rng.int(2));
    const albumTitle = uniqueTitle(usedTitles, rng, () => `${pick(rng, MUSIC_WORDS[0])} ${pick(rng, MUSIC_WORDS[1])}`);
    const albumId = `demo-music-${pad(++number)}`;
    const shared = (): FeatureRecord[] => [
      { facet: "genre", value: genre, weight: 1 },
      { facet: "artist", value: artist, weight: 1 },
      ...tags.map((value) => ({ facet: "tag", value, weight: 1 })),
      ...yearFeatures(year),
    ];
    specs.push({
      record: {
        externalId: albumId,
        kind: "MUSIC",
        title: albumTitle,
        releaseYear: year,
        description: `${genre} album by ${artist}.`,
        attributes: { format: "album", artist, trackCount: 8 + rng.int(7) },
        features: shared(),
      },
      genre,
      secondGenre: null,
      popularity: 0,
      quality: 0,
    });
    for (let t = 0; t < TRACKS_PER_ALBUM; t++) {
      const trackTitle = uniqueTitle(usedTitles, rng, () =>
        rng.next() < 0.5 ? `${pick(rng, TRACK_WORDS[0])} ${pick(rng, TRACK_WORDS[1])}` : pick(rng, TRACK_WORDS[1]),
      );
      specs.push({
        record: {
          externalId: `demo-music-${pad(++number)}`,
          kind: "MUSIC",
          title: trackTitle,
          releaseYear: year,
          description: `Track from ${albumTitle} by ${artist}.`,
          attributes: { format: "track", artist, album: albumId, durationSeconds: 150 + rng.int(180) },
          features: shared(),
        },
        genre,
        secondGenre: null,
        popularity: 0,
        quality: 0,
      });
    }
  }
  return specs;
}

function generateGames(rng: Rng): ItemSpec[] {
  const usedTitles = new Set<string>();
  // Two studios per genre.
  const studioNames = STUDIO_WORDS.flatMap((w) => STUDIO_SUFFIXES.map((s) => `${w} ${s}`));
  shuffle(studioNames, rng);
  const studios = new Map(DEMO_GAME_GENRES.map((g, i) => [g, [studioNames[2 * i], studioNames[2 * i + 1]]]));
  const specs: ItemSpec[] = [];
  for (let i = 0; i < GAME_COUNT; i++) {
    const genre = DEMO_GAME_GENRES[i % DEMO_GAME_GENRES.length];
    const secondGenre = rng.next() < 0.3 ? pickOther(rng, DEMO_GAME_GENRES, genre) : null;
    const [adjectives, nouns] = GAME_WORDS[genre];
    const title = uniqueTitle(usedTitles, rng, () => `${pick(rng, adjectives)} ${pick(rng, nouns)}`);
    const year = recentYear(rng, 1990);
    const studio = pick(rng, studios.get(genre)!);
    const features: FeatureRecord[] = [
      { facet: "genre", value: genre, weight: 1 },
      ...(secondGenre === null ? [] : [{ facet: "genre", value: secondGenre, weight: 1 }]),
      { facet: "studio", value: studio, weight: 1 },
      ...distinctPicks(rng, PLATFORMS, 1 + rng.int(3)).map((value) => ({ facet: "platform", value, weight: 1 })),
      ...distinctPicks(rng, GAME_TAGS, 1 + rng.int(2)).map((value) => ({ facet: "tag", value, weight: 1 })),
      ...yearFeatures(year),
    ];
    specs.push({
      record: {
        externalId: `demo-game-${pad(i + 1)}`,
        kind: "GAME",
        title,
        releaseYear: year,
        description: `A ${genre === "RPG" ? "role-playing" : genre.toLowerCase()} game from ${studio}.`,
        attributes: { priceUsd: [0, 9.99, 19.99, 29.99, 59.99][rng.int(5)] },
        features,
      },
      genre,
      secondGenre,
      popularity: 0,
      quality: 0,
    });
  }
  return specs;
}

// Zipf-like popularity within each kind: the item at popularity rank r gets
// weight 1 / r^0.9, ranks shuffled so popularity does not follow the id order.
function assignPopularity(specs: ItemSpec[], rng: Rng): void {
  for (const kind of ["MOVIE", "MUSIC", "GAME"] as const) {
    const ofKind = specs.filter((s) => s.record.kind === kind);
    const ranks = shuffle(
      ofKind.map((_, i) => i + 1),
      rng,
    );
    ofKind.forEach((s, i) => {
      s.popularity = 1 / Math.pow(ranks[i], 0.9);
      s.quality = 0.4 * rng.normal();
    });
  }
}

// ---------------------------------------------------------------------------
// Users and interactions

interface UserSpec {
  record: UserRecord;
  tastes: Taste[];
  bias: number; // a generous or harsh rater
  persona: boolean;
}

const ALL_TASTES: Taste[] = [
  ...DEMO_MOVIE_GENRES.map((genre) => ({ kind: "MOVIE" as const, genre })),
  ...DEMO_MUSIC_GENRES.map((genre) => ({ kind: "MUSIC" as const, genre })),
  ...DEMO_GAME_GENRES.map((genre) => ({ kind: "GAME" as const, genre })),
];

// Genres hold only 12-21 items, so a persona with a long history would have
// seen its whole genre and a recommender would have nothing of it left to offer.
const PERSONA_HISTORY = 10;
// Sampling weight of an item in one of the user's tastes, relative to the hits
// of other genres (see generateInteractions).
const TASTE_WEIGHT = 10;
const SECOND_GENRE_WEIGHT = 3;
const PERSONAS: Taste[][] = [
  [{ kind: "MOVIE", genre: "Sci-Fi" }],
  [{ kind: "MUSIC", genre: "Jazz" }],
  [{ kind: "GAME", genre: "RPG" }],
];

function generateUsers(rng: Rng): UserSpec[] {
  const users: UserSpec[] = [];
  for (let i = 0; i < USER_COUNT; i++) {
    let tastes: Taste[];
    if (i < PERSONAS.length) {
      tastes = PERSONAS[i];
    } else {
      const r = rng.next();
      const count = r < 0.4 ? 1 : r < 0.8 ? 2 : 3;
      tastes = distinctPicks(rng, ALL_TASTES, count);
    }
    users.push({
      record: {
        externalId: `demo-user-${pad(i + 1)}`,
        // The latent tastes are visible on purpose: demos can show that the
        // recommendations match them, and evaluations can check it.
        attributes: { tastes: tastes.map((t) => `${t.kind}:${t.genre}`).join("|") },
      },
      tastes,
      bias: 0.4 * rng.normal(),
      persona: i < PERSONAS.length,
    });
  }
  return users;
}

// How strongly a user is drawn to an item: 2 for its primary genre in one of
// the user's tastes, 1 for its second genre, 0 otherwise.
function affinity(user: UserSpec, item: ItemSpec): number {
  let best = 0;
  for (const t of user.tastes) {
    if (t.kind !== item.record.kind) continue;
    if (t.genre === item.genre) return 2;
    if (t.genre === item.secondGenre) best = 1;
  }
  return best;
}

function generateInteractions(users: UserSpec[], items: ItemSpec[], rng: Rng): InteractionRecord[] {
  const out: InteractionRecord[] = [];
  const end = DEMO_REFERENCE_DATE.getTime();
  const start = end - 365 * DAY_MS;
  for (const user of users) {
    const kinds = new Set(user.tastes.map((t) => t.kind));
    // Lognormal activity: a median user touches ~45 items, a few several hundred.
    // Personas get a modest, fixed history so some of their genre is left to recommend.
    const lognormal = Math.round(Math.exp(Math.log(45) + 0.6 * rng.normal()));
    const count = user.persona ? PERSONA_HISTORY : Math.max(12, Math.min(200, lognormal));
    // Fans go deep: inside their tastes popularity matters less (square root),
    // outside them users mostly meet the hits.
    const weights = items.map((item) => {
      const a = affinity(user, item);
      if (a === 2) return TASTE_WEIGHT * Math.sqrt(item.popularity);
      if (a === 1) return SECOND_GENRE_WEIGHT * Math.sqrt(item.popularity);
      return item.popularity * (kinds.has(item.record.kind) ? 0.4 : 0.1);
    });
    for (const index of weightedSampleWithoutReplacement(weights, count, rng)) {
      const item = items[index];
      const at = start + Math.floor(rng.next() * (365 * DAY_MS) / 1000) * 1000;
      // Within a week; one that would fall after the end has not happened yet.
      const later = (): number => at + (1 + rng.int(7 * 24 * 60)) * 60_000;
      const emit = (type: InteractionTypeName, value: number, time: number): void => {
        if (time < end) out.push({ userExternalId: user.record.externalId, itemExternalId: item.record.externalId, type, value, occurredAt: new Date(time) });
      };
      const a = affinity(user, item);
      const appeal = (a === 2 ? 1.5 : a === 1 ? 0.8 : 0) + user.bias + item.quality + 0.7 * rng.normal();
      switch (item.record.kind) {
        case "MOVIE": {
          if (rng.next() < 0.2) {
            emit("VIEW", 1, at); // watched, never rated
            break;
          }
          const stars = Math.max(1, Math.min(5, Math.round(2.8 + appeal)));
          emit("RATING", stars, at);
          if (stars === 5 && rng.next() < 0.35) emit("LIKE", 1, later());
          if (stars <= 2 && rng.next() < 0.3) emit("DISLIKE", 1, later());
          break;
        }
        case "MUSIC": {
          if (a === 0 && rng.next() < 0.35) {
            emit("SKIP", 1, at);
            break;
          }
          const plays = Math.min(250, 1 + Math.floor(Math.exp(0.3 + appeal + 0.5 * rng.normal())));
          emit("PLAY", plays, at);
          if (a === 2 && rng.next() < 0.25) emit("LIKE", 1, later());
          break;
        }
        default: {
          // Games: browsed (VIEW), or bought and then played for some sessions.
          if (a === 0 && rng.next() < 0.6) {
            emit("VIEW", 1, at);
            break;
          }
          emit("PURCHASE", 1, at);
          const sessions = Math.min(250, 1 + Math.floor(Math.exp(0.8 + appeal + 0.5 * rng.normal())));
          emit("PLAY", sessions, later());
          if (a === 2 && rng.next() < 0.2) emit("LIKE", 1, later());
        }
      }
    }
  }
  // Chronological, as a live service would have recorded them. Array sort is
  // stable, so ties keep generation order and the output stays deterministic.
  return out.sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime());
}

// Efraimidis & Spirakis (2006), "Weighted random sampling with a reservoir":
// key = ln(u) / w, keep the k largest keys.
function weightedSampleWithoutReplacement(weights: readonly number[], k: number, rng: Rng): number[] {
  const keyed = weights.map((w, i) => ({ i, key: w > 0 ? Math.log(1 - rng.next()) / w : -Infinity }));
  keyed.sort((a, b) => b.key - a.key || a.i - b.i);
  return keyed.slice(0, Math.min(k, keyed.length)).filter((e) => e.key > -Infinity).map((e) => e.i);
}

// ---------------------------------------------------------------------------
// Small helpers

function personNames(rng: Rng): () => string {
  const all = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));
  shuffle(all, rng);
  let next = 0;
  return () => all[next++ % all.length];
}

function uniqueTitle(used: Set<string>, rng: Rng, make: () => string): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const title = make();
    if (!used.has(title)) {
      used.add(title);
      return title;
    }
  }
  // Word lists exhausted: a sequel is a plausible title too.
  for (let n = 2; ; n++) {
    const title = `${make()} ${n}`;
    if (!used.has(title)) {
      used.add(title);
      return title;
    }
  }
}

// Years skewed towards the present (most catalogs are mostly recent).
function recentYear(rng: Rng, earliest: number): number {
  const latest = DEMO_REFERENCE_DATE.getUTCFullYear();
  return latest - Math.floor(Math.pow(rng.next(), 1.8) * (latest - earliest + 1));
}

function yearFeatures(year: number): FeatureRecord[] {
  return [
    { facet: "year", value: String(year), weight: 1 },
    { facet: "decade", value: `${Math.floor(year / 10) * 10}s`, weight: 1 },
  ];
}

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.int(values.length)];
}

function pickOther<T>(rng: Rng, values: readonly T[], not: T): T {
  const others = values.filter((v) => v !== not);
  return others[rng.int(others.length)];
}

function distinctPicks<T>(rng: Rng, values: readonly T[], count: number): T[] {
  return shuffle([...values], rng).slice(0, Math.min(count, values.length));
}

function pad(n: number): string {
  return String(n).padStart(3, "0");
}
