"""Word lists and templates that make the demo read like real data (names, titles,
content previews, chat transcripts)."""

from __future__ import annotations

import random

FIRST = [
    "Ava",
    "Liam",
    "Noah",
    "Emma",
    "Mia",
    "Lucas",
    "Zoe",
    "Omar",
    "Priya",
    "Chen",
    "Sofia",
    "Mateo",
    "Aisha",
    "Ethan",
    "Yuki",
    "Leo",
    "Nora",
    "Ivan",
    "Grace",
    "Diego",
    "Hana",
    "Samir",
    "Elena",
    "Kofi",
    "Maya",
    "Felix",
    "Lena",
    "Ravi",
    "Chloe",
    "Jonas",
    "Amara",
    "Tariq",
    "Ines",
    "Hugo",
    "Freya",
    "Kenji",
    "Luca",
    "Selin",
    "Nadia",
    "Theo",
]
LAST = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Patel",
    "Kim",
    "Müller",
    "Rossi",
    "Silva",
    "Okafor",
    "Tanaka",
    "Cohen",
    "Novak",
    "Haddad",
    "Larsen",
    "Dubois",
    "Costa",
    "Ahmed",
    "Schmidt",
    "Moreau",
    "Wang",
    "Ivanova",
    "Mensah",
    "Lopez",
    "Berg",
    "Fischer",
    "Rahman",
    "Sato",
    "Kowalski",
    "Adeyemi",
    "Jensen",
]

ADJ = [
    "deep",
    "applied",
    "open",
    "future",
    "quantum",
    "bright",
    "practical",
    "modern",
    "creative",
    "curious",
    "clear",
    "smart",
    "human",
    "neural",
    "daily",
    "agile",
    "lucid",
    "bold",
]
NOUN = [
    "learning",
    "insights",
    "lab",
    "notes",
    "studio",
    "academy",
    "signals",
    "labs",
    "garden",
    "forge",
    "circle",
    "compass",
    "workshop",
    "frontier",
    "kitchen",
    "atlas",
    "digest",
]

EXPERIENCE_TITLES = {
    "AI_EXPERT": ("Ask the {} expert", "{} office hours", "Your {} coach"),
    "AI_NOTE": ("Field notes on {}", "{} in five minutes", "A primer on {}"),
    "QUEST": ("The {} challenge", "{} bootcamp quest", "Level up: {}"),
    "PODCAST": ("{} weekly", "Conversations about {}", "The {} show"),
}
SUBJECTS = [
    "prompt engineering",
    "vector search",
    "RAG pipelines",
    "model evaluation",
    "AI safety",
    "data cleaning",
    "fine-tuning",
    "agents",
    "computer vision",
    "MLOps",
    "statistics",
    "product analytics",
]

PILLARS = (
    "Thought Leadership",
    "Product Updates",
    "Tutorials",
    "Community",
    "Customer Stories",
)
TOPICS = [
    "API design",
    "developer experience",
    "observability",
    "open source",
    "security",
    "performance",
    "release notes",
    "hiring",
    "events",
    "case study",
    "SDKs",
    "pricing",
]
PREVIEWS = (
    "Shipping {t} improvements today: here's what changed and why it matters.",
    "Thread: 7 lessons we learned about {t} the hard way 🧵",
    "Hot take: {t} is a product feature, not an afterthought.",
    "New guide: getting started with {t} in under ten minutes.",
    "How one team cut their integration time in half with better {t}.",
    "We asked 200 developers about {t}. The answers surprised us.",
    "Live on Thursday: a deep dive into {t} with our engineering team.",
)

CHAT_TOPICS = [
    "Python basics",
    "Linear algebra",
    "Essay feedback",
    "Statistics",
    "Career advice",
    "Data visualization",
    "Machine learning",
    "Exam preparation",
    "SQL queries",
    "Study planning",
]
QUESTIONS = (
    "Can you explain {t} with a simple example?",
    "I'm stuck on my {t} homework, where should I start?",
    "What are the most common mistakes people make with {t}?",
    "How would you summarize {t} in three sentences?",
    "Could you give me a practice exercise on {t}?",
    "Why does my answer about {t} keep getting marked wrong?",
)
ANSWERS = (
    "Sure. Think of {t} as a set of small steps: first define the goal, then check each "
    "step against a tiny example before moving on.",
    "Good question. The usual pitfall with {t} is skipping the fundamentals; let's "
    "revisit the definition together and try one exercise.",
    "Here's a short exercise on {t}: work through it, then tell me where you got stuck.",
    "In short: {t} is about recognising patterns, applying the right rule, and checking "
    "the result. Want a worked example?",
    "Your reasoning is close. The missing piece is the edge case; try it with an empty "
    "input and compare.",
)
THREAD_TITLES = [
    "Weekly report draft",
    "Customer email triage",
    "Summarize sales call",
    "Research competitors",
    "Onboarding checklist",
    "Fix flaky deployment",
    "Plan Q3 roadmap",
    "Translate release notes",
]
WORKFLOW_NAMES = [
    "Lead enrichment",
    "Invoice processing",
    "Support ticket routing",
    "Daily digest",
    "Content repurposing",
    "Meeting notes to tasks",
    "Churn alert",
    "Social listening",
    "Data backup check",
    "Contract review",
]
AGENT_NAMES = [
    "Research Assistant",
    "Support Bot",
    "Sales Copilot",
    "Data Analyst",
    "Recruiter",
    "Editor",
    "Scheduler",
    "Code Reviewer",
    "Onboarding Guide",
    "Market Watcher",
]
MENTOR_NAMES = [
    "Study Buddy",
    "Math Coach",
    "Writing Mentor",
    "Career Advisor",
    "Data Science Tutor",
    "Language Partner",
    "Exam Coach",
    "Research Guide",
]
COURSE_NAMES = (
    ("CS101", "Introduction to Programming"),
    ("DS201", "Data Science Foundations"),
    ("ML301", "Machine Learning in Practice"),
    ("ST110", "Statistics for Everyone"),
    ("AI150", "Generative AI Literacy"),
    ("DB220", "Databases and SQL"),
    ("WR100", "Academic Writing"),
    ("PM210", "Product Management Essentials"),
    ("UX130", "User Research Basics"),
    ("SE240", "Software Engineering Practices"),
    ("VZ180", "Data Visualization"),
    ("EC120", "Economics of Technology"),
)


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def experience_title(rng: random.Random, kind: str) -> str:
    return rng.choice(EXPERIENCE_TITLES[kind]).format(rng.choice(SUBJECTS))


def preview(rng: random.Random, topic: str) -> str:
    return rng.choice(PREVIEWS).format(t=topic)


def chat_turn(rng: random.Random, topic: str) -> tuple[str, str]:
    t = topic.lower()
    return rng.choice(QUESTIONS).format(t=t), rng.choice(ANSWERS).format(t=t)
