"""Offline text-classification tasks in the style of SST-2, SST-5, AG News, TREC and Subj, generated from
templates and slot fillers with a seeded numpy Generator, and the k-shot prompts built from them.

Each class has at least 8 templates and every slot at least 10 fillers; some items are mixed or negated ("not bad
at all: ...", "it starts slow, but ..."), so that a small LM does not saturate. A slot named with a trailing 2
("{pos2}") draws a second, different filler of its base slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Template:
    """A prompt format: an optional instruction, then per example q_prefix + x + "\\n" + a_prefix + " " + word."""
    prefix: str
    q_prefix: str
    a_prefix: str
    sep: str = "\n\n"


@dataclass(frozen=True)
class TaskSpec:
    words: tuple[str, ...]                        # label word of each class (one token after a space)
    template: Template
    templates: tuple[tuple[str, ...], ...]        # per class
    slots: dict


@dataclass(frozen=True)
class TaskData:
    name: str
    texts: tuple[str, ...]
    labels: np.ndarray                            # (n,) int
    words: tuple[str, ...]
    template: Template

    def subset(self, idx) -> "TaskData":
        idx = np.asarray(idx, dtype=int)
        return TaskData(self.name, tuple(self.texts[i] for i in idx), self.labels[idx], self.words, self.template)


NOUNS = ("film", "movie", "story", "plot", "script", "cast", "soundtrack", "ending", "lead performance",
         "dialogue", "direction", "pacing")
GRADES = {
    "terrible": ("atrocious", "unwatchable", "dreadful", "abysmal", "appalling", "horrendous", "insufferable",
                 "unbearable", "disastrous", "painful"),
    "bad": ("weak", "disappointing", "flat", "dull", "tiresome", "clumsy", "uneven", "forgettable", "sloppy",
            "tedious"),
    "okay": ("average", "passable", "decent enough", "ordinary", "watchable", "acceptable", "fair", "middling",
             "serviceable", "unremarkable"),
    "good": ("enjoyable", "solid", "likable", "pleasant", "engaging", "entertaining", "nice", "charming", "fun",
             "well made"),
    "great": ("magnificent", "brilliant", "superb", "stunning", "extraordinary", "masterful", "outstanding",
              "breathtaking", "wonderful", "unforgettable"),
}
POS = ("wonderful", "brilliant", "moving", "delightful", "gripping", "charming", "superb", "funny", "beautiful",
       "clever", "touching", "fresh")
NEG = ("boring", "dull", "clumsy", "tedious", "awful", "lifeless", "predictable", "shallow", "messy", "forgettable",
       "painful", "bland")

SST2 = TaskSpec(
    words=("negative", "positive"),
    template=Template("", "Review: ", "Sentiment:"),
    templates=(
        ("the {noun} is {neg}.", "a {neg} and {neg2} {noun}.", "i wanted my money back; the {noun} is {neg}.",
         "not {pos} at all: the {noun} is {neg}.", "the {noun} looks {pos}, but the whole thing is {neg}.",
         "even the {noun} is {neg}, and the {noun2} is {neg2}.", "{neg}, {neg2} and far too long.",
         "it could have been {pos}, yet it turns out {neg}.", "hardly {pos}; a {neg} {noun}."),
        ("the {noun} is {pos}.", "a {pos} and {pos2} {noun}.", "i loved every minute; the {noun} is {pos}.",
         "not {neg} at all: the {noun} is {pos}.", "the {noun} starts slow, but the whole thing is {pos}.",
         "even the {noun} is {pos}, and the {noun2} is {pos2}.", "{pos}, {pos2} and worth seeing twice.",
         "it could have been {neg}, yet it turns out {pos}.", "hardly {neg}; a {pos} {noun}."),
    ),
    slots={"noun": NOUNS, "pos": POS, "neg": NEG},
)

_GRADED = ("the {noun} is {a}.", "a {a} {noun}.", "overall, {a}.", "{a} from start to finish.",
           "i found the {noun} {a}.", "the {noun} is {a}, and so is the {noun2}.", "honestly, a {a} film.",
           "the critics were right: {a}.")
SST5 = TaskSpec(
    words=tuple(GRADES),
    template=Template("", "Review: ", "Sentiment:"),
    templates=tuple(
        tuple(t.replace("{a}", "{" + grade + "}") for t in _GRADED) + extra
        for grade, extra in zip(GRADES, (
            ("worse than {bad}: {terrible}.",),
            ("not {terrible}, just {bad}.",),
            ("the {noun} is {good} but the {noun2} is {bad}.",),
            ("not {great}, but {good}.",),
            ("better than {good}: {great}.",),
        ))
    ),
    slots={"noun": NOUNS, **GRADES},
)

COUNTRIES = ("France", "Kenya", "Brazil", "Japan", "Canada", "Egypt", "India", "Peru", "Norway", "Vietnam",
             "Turkey", "Chile")
AGNEWS = TaskSpec(
    words=("World", "Sports", "Business", "Technology"),
    template=Template("Classify the news articles into the categories of World, Sports, Business, and Technology.",
                      "Article: ", "Answer:"),
    templates=(
        ("{leader} visits {country} for talks on {issue}.", "Protests spread across {country} after {event}.",
         "{country} and {country2} sign a deal on {issue}.", "UN warns of {crisis} in {country}.",
         "Voters in {country} elect a new parliament amid {crisis}.", "{leader} calls for a ceasefire in {country}.",
         "Thousands flee {crisis} in {country}.", "Foreign ministers meet in {country} to discuss {issue}."),
        ("{team} beat {team2} {score} in the {cup}.", "{player} scores twice as {team} win the {cup} tie.",
         "{team} sack their coach after a {score} defeat.", "{player} wins the {cup} final.",
         "Injury rules {player} out of the {cup}.", "{team} sign a striker from {team2}.",
         "Record crowd watches {team} clinch the {cup}.", "{player} breaks the record in the {cup}."),
        ("{company} shares fall after weak {quarter} profits.", "{company} agrees to buy {company2}.",
         "Oil prices rise as {country} cuts output.", "{company} cuts jobs to reduce costs in {country}.",
         "Central bank of {country} raises interest rates to curb inflation.",
         "{company} reports record {quarter} sales.", "Investors sell {company} stock as {market} slides.",
         "{company} shares jump after {company2} takeover bid."),
        ("{techco} unveils a new {gadget} with {feature}.", "Researchers build a {gadget} that {does}.",
         "{techco} fixes a security flaw in its {software}.", "New {software} update brings {feature}.",
         "Engineers test a faster {gadget} chip.", "{techco} releases {software} for developers.",
         "Hackers target {software} users with a new virus.", "{techco} shows a {gadget} prototype with {feature}."),
    ),
    slots={
        "leader": ("The prime minister", "The president", "The foreign minister", "The king", "The chancellor",
                   "The opposition leader", "The UN envoy", "The defence minister", "The queen", "A senior envoy"),
        "country": COUNTRIES,
        "issue": ("trade", "security", "climate", "border disputes", "refugees", "nuclear arms", "water rights",
                  "fishing rights", "aid", "human rights"),
        "event": ("a disputed vote", "a fuel price rise", "the arrest of an activist", "a new curfew",
                  "a bombing", "a court ruling", "a coup attempt", "a border clash", "rigged elections",
                  "a ban on rallies"),
        "crisis": ("flooding", "drought", "famine", "fighting", "unrest", "an epidemic", "civil war", "wildfires",
                   "a refugee crisis", "political turmoil"),
        "team": ("Arsenal", "the Lakers", "Real Madrid", "the Yankees", "Juventus", "the Bulls", "Celtic",
                 "the Red Sox", "Ajax", "the Packers"),
        "player": ("Rossi", "Okafor", "Silva", "Tanaka", "Murray", "Ivanova", "Haaland", "Mbeki", "Park", "Lopez"),
        "score": ("2-1", "3-0", "4-2", "1-0", "5-3", "2-0", "3-2", "6-1", "4-1", "2-2"),
        "cup": ("World Cup", "league", "Champions League", "Olympics", "final", "semi-final", "Grand Prix",
                "World Series", "playoffs", "Open"),
        "company": ("Acme Corp", "Globex", "Initech", "Umbrella Foods", "Stark Steel", "Wayne Holdings",
                    "Northwind", "Contoso Bank", "Vandelay Imports", "Blue Harbor Airlines"),
        "quarter": ("first-quarter", "second-quarter", "third-quarter", "fourth-quarter", "annual", "half-year",
                    "holiday", "monthly", "quarterly", "yearly"),
        "market": ("the stock market", "the bond market", "the dollar", "the euro", "the Nikkei", "the Dow",
                   "the housing market", "copper", "oil", "gold"),
        "techco": ("Apple", "Microsoft", "Google", "Intel", "Samsung", "IBM", "Nokia", "Sony", "Oracle", "Nvidia"),
        "gadget": ("phone", "laptop", "tablet", "robot", "camera", "smart watch", "processor", "drone", "server",
                   "headset"),
        "feature": ("longer battery life", "a faster processor", "voice control", "face recognition",
                    "wireless charging", "a brighter screen", "more memory", "encrypted storage", "a 3D display",
                    "offline maps"),
        "does": ("reads handwriting", "translates speech", "detects tumours", "drives itself", "folds laundry",
                 "plays chess", "writes code", "predicts the weather", "recognises faces", "maps buildings"),
        "software": ("browser", "operating system", "search engine", "email app", "database", "office suite",
                     "antivirus program", "cloud service", "music app", "chat app"),
    },
)

TREC = TaskSpec(
    words=("number", "location", "person", "description", "entity", "abbreviation"),
    template=Template("Classify the questions based on whether their answer type is a number, location, person, "
                      "description, entity, or abbreviation.", "Question: ", "Answer Type:"),
    templates=(
        ("How many {things} are there in {place}?", "How far is {place} from {place2}?",
         "What year did {event} happen?", "How much does a {thing} cost?", "How tall is {landmark}?",
         "What is the population of {place}?", "How long does it take to {activity}?",
         "How many people live in {place}?"),
        ("Where is {landmark}?", "What country is {landmark} in?", "Where was {person} born?",
         "What city hosted {event}?", "Which river flows through {place}?", "Where can you find {things}?",
         "What continent is {place} on?", "Where did {event} take place?"),
        ("Who invented the {thing}?", "Who wrote {book}?", "Who was the first person to {feat}?",
         "Who painted {painting}?", "Who discovered {discovery}?", "Who won {event}?",
         "Who is the author of {book}?", "Who founded {org}?"),
        ("Why do {things} {behaviour}?", "What is the meaning of {concept}?", "How does a {thing} work?",
         "What causes {phenomenon}?", "Why did {event} happen?", "What is {concept}?",
         "How do you {activity}?", "What does it mean to {activity}?"),
        ("What is the largest kind of {things}?", "What instrument did {person} play?",
         "What food is {place} famous for?", "What sport does {person} play?",
         "What language is spoken in {place}?", "What is the national flower of {place}?",
         "Which {thing} is the most popular?", "What animal is the symbol of {place}?"),
        ("What does {abbr} stand for?", "What is the full form of {abbr}?", "What is {abbr} short for?",
         "{abbr} is an abbreviation for what?", "What do the letters {abbr} mean?",
         "What is the acronym {abbr} an abbreviation of?", "What is the expansion of {abbr}?",
         "What does the acronym {abbr} mean?"),
    ),
    slots={
        "things": ("bones", "islands", "lakes", "stars", "birds", "volcanoes", "languages", "bridges", "trees",
                   "whales"),
        "place": ("Peru", "Norway", "Texas", "Iceland", "Kenya", "Japan", "Australia", "Ontario", "Chile", "Egypt"),
        "event": ("the first moon landing", "the Great Fire of London", "the 1998 World Cup", "the Gold Rush",
                  "the French Revolution", "the Chicago World's Fair", "the first Olympics",
                  "the Boston Tea Party", "the fall of the Berlin Wall", "the Battle of Hastings"),
        "thing": ("telephone", "microwave oven", "bicycle", "compass", "thermometer", "light bulb",
                  "printing press", "parachute", "refrigerator", "steam engine"),
        "landmark": ("the Eiffel Tower", "Mount Everest", "the Golden Gate Bridge", "Machu Picchu",
                     "the Taj Mahal", "Big Ben", "the Great Barrier Reef", "Niagara Falls", "the Colosseum",
                     "Table Mountain"),
        "activity": ("boil an egg", "learn to swim", "fly to Tokyo", "grow tomatoes", "bake bread",
                     "run a marathon", "tie a tie", "train a puppy", "change a tyre", "read music"),
        "person": ("Mozart", "Cleopatra", "Einstein", "Frida Kahlo", "Napoleon", "Marie Curie", "Pele",
                   "Shakespeare", "Gandhi", "Serena Williams"),
        "book": ("Hamlet", "War and Peace", "Don Quixote", "Moby Dick", "Pride and Prejudice", "The Odyssey",
                 "Frankenstein", "Dracula", "Ulysses", "Beloved"),
        "feat": ("climb Everest", "fly solo across the Atlantic", "walk on the moon", "reach the South Pole",
                 "swim the Channel", "orbit the Earth", "split the atom", "run a four-minute mile",
                 "sail around the world", "cross the Sahara"),
        "painting": ("the Mona Lisa", "The Starry Night", "The Scream", "Guernica", "The Night Watch",
                     "Water Lilies", "The Last Supper", "Girl with a Pearl Earring", "The Birth of Venus",
                     "American Gothic"),
        "discovery": ("penicillin", "radium", "gravity", "electrons", "DNA's structure", "Neptune", "insulin",
                      "X-rays", "oxygen", "vaccines"),
        "org": ("the Red Cross", "Amnesty International", "the Boy Scouts", "the Nobel Prize", "Greenpeace",
                "the YMCA", "the Salvation Army", "Oxfam", "UNICEF", "the Royal Society"),
        "behaviour": ("migrate", "glow", "shed their leaves", "hibernate", "erupt", "sing", "change colour",
                      "float", "rust", "freeze"),
        "concept": ("democracy", "inflation", "photosynthesis", "karma", "entropy", "irony", "gravity",
                    "a black hole", "a sonnet", "a monopoly"),
        "phenomenon": ("earthquakes", "rainbows", "tides", "thunder", "hiccups", "the northern lights",
                       "eclipses", "jet lag", "fog", "tsunamis"),
        "abbr": ("NASA", "UNESCO", "CPU", "DNA", "NATO", "FBI", "HTML", "GDP", "BBC", "LED"),
    },
)

SUBJ = TaskSpec(
    words=("objective", "subjective"),
    template=Template("", "Input: ", "Type:"),
    templates=(
        ("the film follows a {job} who {action} in {place}.", "set in {place}, the story tracks a {job} over {span}.",
         "a {job} returns to {place} after {span} away.", "the documentary records daily life in {place}.",
         "the plot centres on a {job} and a {job2}.", "a {job} must {goal} before the winter.",
         "the movie was shot in {place} over {span}.", "two strangers meet in {place} and {action}."),
        ("it is {opinion} and {opinion2}.", "i {feeling} every minute of it.", "a {opinion} mess that {verdict}.",
         "frankly, the {noun} is {opinion}.", "what a {opinion} way to spend an evening.",
         "truly {opinion}; i cannot recommend it enough.", "the {noun} feels {opinion}, which is a shame.",
         "somehow both {opinion} and {opinion2}."),
    ),
    slots={
        "job": ("teacher", "nurse", "detective", "farmer", "pilot", "widow", "boxer", "chef", "journalist",
                "priest", "soldier", "student"),
        "action": ("searches for a missing brother", "opens a small bakery", "investigates a murder",
                   "joins a band", "runs for mayor", "builds a boat", "hides a refugee", "trains for a fight",
                   "inherits a farm", "starts a newspaper"),
        "place": ("Lisbon", "a mining town", "rural Ohio", "Mumbai", "a fishing village", "Berlin", "the Arctic",
                  "post-war Tokyo", "a border town", "Naples"),
        "span": ("one summer", "ten years", "three days", "a decade", "two winters", "a single night",
                 "six months", "forty years", "one week", "a lifetime"),
        "goal": ("repay a debt", "find a cure", "sell the house", "reach the coast", "win the election",
                 "finish the bridge", "save the harvest", "clear his name", "rescue her son", "close the case"),
        "opinion": ("gorgeous", "pretentious", "hilarious", "insufferable", "heartbreaking", "silly",
                    "overrated", "magical", "exhausting", "irresistible"),
        "feeling": ("loved", "hated", "adored", "resented", "savoured", "endured", "cherished", "regretted",
                    "enjoyed", "dreaded"),
        "verdict": ("nobody should sit through", "i will never forget", "wastes a fine cast",
                    "left me speechless", "tries far too hard", "made me grin", "deserves an audience",
                    "insults its viewers", "charmed me anyway", "bored me to tears"),
        "noun": NOUNS,
    },
)

TASKS = {"sst2_like": SST2, "sst5_like": SST5, "agnews_like": AGNEWS, "trec_like": TREC, "subj_like": SUBJ}
_SLOT = re.compile(r"\{(\w+?)(2?)\}")


def _fill(template: str, slots: dict, rng: np.random.Generator) -> str:
    chosen: dict[str, str] = {}

    def pick(m):
        base, second = m.group(1), m.group(2)
        options = [v for v in slots[base] if not second or v != chosen.get(base)]
        value = options[rng.integers(len(options))]
        chosen.setdefault(base, value)
        return value

    text = _SLOT.sub(pick, template)
    return text[0].upper() + text[1:]


def make_task(name: str, n: int, *, rng: np.random.Generator) -> TaskData:
    """n distinct texts with balanced labels (class i gets n // C or one more), in a random order."""
    spec = TASKS[name]
    C = len(spec.words)
    labels = rng.permutation(np.arange(n) % C)
    seen: set[str] = set()
    texts = []
    for y in labels:
        for _ in range(1000):
            text = _fill(spec.templates[y][rng.integers(len(spec.templates[y]))], spec.slots, rng)
            if text not in seen:
                break
        else:
            raise ValueError(f"{name}: cannot draw {n} distinct texts")
        seen.add(text)
        texts.append(text)
    return TaskData(name, tuple(texts), labels, spec.words, spec.template)


def sample_demos(task: TaskData, k: int, *, rng: np.random.Generator,
                 label_order: Sequence[int] | None = None) -> list[tuple[str, int]]:
    """k demonstrations (text, label) drawn without replacement: uniformly, as the official code does, or with the
    given label sequence (len k) for the order-bias and label-proportion experiments."""
    if label_order is None:
        idx = rng.choice(len(task.labels), size=k, replace=False)
    else:
        if len(label_order) != k:
            raise ValueError(f"label_order has {len(label_order)} labels for k = {k}")
        idx, used = [], set()
        for y in label_order:
            pool = [i for i in np.flatnonzero(task.labels == y) if i not in used]
            idx.append(pool[rng.integers(len(pool))])
            used.add(idx[-1])
    return [(task.texts[i], int(task.labels[i])) for i in idx]


def prompt_segments(demos: Sequence[tuple[str, int]], query: str, t: Template, words: Sequence[str]) -> list[str]:
    """The prompt as segments, each separator leading its segment (so the prefix ends on a token boundary):
    [instruction,] demo_1, sep + demo_2, ..., sep + query; the query ends at a_prefix with no trailing space."""
    segments = [t.prefix] if t.prefix else []
    for x, y in demos:
        segments.append((t.sep if segments else "") + f"{t.q_prefix}{x}\n{t.a_prefix} {words[y]}")
    segments.append((t.sep if segments else "") + f"{t.q_prefix}{query}\n{t.a_prefix}")
    return segments


# Alternative prompt formats for the template-robustness study: (q_prefix, a_prefix); "default" is the task's own.
PROMPT_FORMATS = {"default": None, "input": ("Input: ", "Label:"), "text": ("Text: ", "Answer:")}


def prompt_format(t: Template, name: str) -> Template:
    """The template with the named format's prefixes (the instruction is kept)."""
    if name not in PROMPT_FORMATS:
        raise ValueError(f"unknown prompt format {name!r}; formats: {', '.join(PROMPT_FORMATS)}")
    fmt = PROMPT_FORMATS[name]
    return t if fmt is None else Template(t.prefix, fmt[0], fmt[1], t.sep)
