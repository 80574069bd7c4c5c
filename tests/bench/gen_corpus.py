#!/usr/bin/env python3
"""Deterministic generator of a realistic benchmark corpus for tension.

    gen_corpus.py --mb 100 --out DIR [--seed 1] [--lexicons DIR]

Writes IAG minutes and Community Safety Partnership reports of about 10 KB
each under DIR/YYYY/, until the corpus holds --mb megabytes (10^6 bytes).
Sentences are composed from templates below and from the surface forms of
the lexicons (lexicons/*.tsv, kind=phrase rows): communities, themes,
incidents, indicators, places, organisations, negation and hedge cues. Every
document has a date (several years), numbered agenda items, an attendee table
with initials for minutes, deferred items, negated and hedged sentences.

The same --seed and --mb give byte-identical files on any machine (Python's
random.Random is stable across versions for the calls used here). No text is
taken from any real or seed corpus.
"""
import argparse
import os
import random
import sys

FIRST = ["Amina", "Ben", "Chloe", "David", "Esther", "Farah", "George", "Hassan", "Imogen",
         "James", "Kofi", "Leah", "Mohamed", "Nadia", "Oliver", "Priya", "Qasim", "Rachel",
         "Samuel", "Tariq", "Una", "Victor", "Wanjiru", "Yusuf", "Zainab", "Harpreet", "Grace",
         "Tomasz", "Agnieszka", "Dev", "Ruth", "Kwame", "Sean", "Marta", "Ifeoma", "Paul"]
LAST = ["Ahmed", "Brown", "Clarke", "Dlamini", "Evans", "Farouk", "Grant", "Hughes", "Iqbal",
        "Jones", "Kowalski", "Lewis", "Mensah", "Nowak", "Okafor", "Patel", "Quinn", "Roberts",
        "Singh", "Thompson", "Usman", "Vaughan", "Walker", "Yilmaz", "Zielinski", "Osei",
        "Hussain", "Murphy", "Campbell", "Bello"]
ROLES = ["IAG Chair", "IAG Vice Chair", "IAG Member", "IAG Member", "IAG Member", "IAG Member",
         "TVP LPA Commander", "TVP Community & Diversity Officer", "TVP Neighbourhood Inspector",
         "Council Community Safety Officer", "Youth Worker", "Faith Leader",
         "Cllr, City Council", "TVP Admin Support Officer", "Victim Support Manager",
         "Housing Officer", "School Liaison Officer"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
AGENDA = ["Welcome and Introductions", "Previous notes and actions", "Chair's Report",
          "LPA Commander's Update", "Stop and Search Scrutiny", "Use of Force Data",
          "Hate Crime Update", "Community Tension Monitoring", "Youth Engagement",
          "Critical Incidents", "Partner Updates", "Body Worn Video Review",
          "Neighbourhood Priorities", "Any Other Business"]
REPORT_SECTIONS = ["Background", "Recommendations", "Partnership Activity to Note",
                   "Violence Reduction", "Hate Crime", "Anti-Social Behaviour",
                   "Community Cohesion", "Exploitation", "Performance Summary",
                   "Risks and Issues", "Next Steps"]

CONCERN = [
    "{sp} said that {community} residents in {place} are worried about {theme}.",
    "{sp} reported that there had been {incident} near {place} and that the {community} community feels targeted.",
    "{sp} said that {indicator} about {theme} is spreading among {community} families.",
    "{sp} raised concerns that {theme} is affecting {community} young people in {place}.",
    "{sp} explained that {org} had received several reports of {theme} involving the {community} community.",
    "{sp} said that parents in {place} told her there is real {indicator} after the {incident}.",
    "{sp} noted that the {community} community in {place} has experienced {theme} on a weekly basis.",
    "Members discussed {theme} in {place} and the impact on {community} residents.",
    "{sp} said that since the {incident} in {place} {community} people have been keeping their children at home.",
]
HEDGE = [
    "{sp} said that there {hedge} be a rise in {theme} around {place} over the summer.",
    "{sp} suggested that {community} residents {hedge} be affected by {theme} if nothing changes.",
    "It {hedge} be that {theme} in {place} is under-reported by the {community} community.",
]
NEGATED = [
    "{sp} said that there were {neg} {theme} affecting the {community} community in {place} this month.",
    "{sp} confirmed there is {neg} link between the {incident} and the {community} community.",
    "{Neg} {theme} has been reported in {place} since the last meeting.",
]
REASSURE = [
    "{sp} said that trust between {org} and the {community} community in {place} has improved.",
    "{sp} thanked {org} for the reassurance patrols in {place} after the {incident}.",
    "{sp} said that community cohesion in {place} remains strong and relations are calm.",
]
NEUTRAL = [
    "{sp} asked for the figures to be circulated before the next meeting.",
    "{sp} agreed to contact {org} about the outstanding action.",
    "The notes of the previous meeting were accepted as a true record.",
    "{sp} said the panel would review {n} stop and search records at the next scrutiny session.",
    "Action: {sp} to share the engagement plan for {place} with members.",
    "{sp} said that {n} officers attended the training session on {month}.",
]
REPORT = [
    "{n}.{m} During the quarter there were {k} recorded incidents of {theme} in {place}, compared with {k2} in the same quarter last year.",
    "{n}.{m} The Partnership worked with {org} and {community} community groups in {place} to respond to {theme}.",
    "{n}.{m} Officers reported {indicator} among {community} residents following the {incident} in {place}.",
    "{n}.{m} There is {neg} {theme} recorded against the {community} community in {place} this period.",
    "{n}.{m} It {hedge} be that {theme} in {place} is rising, and this will be monitored.",
    "{n}.{m} Members are asked to note the activity of {org} set out in this section.",
    "{n}.{m} Feedback from {community} residents in {place} shows improved confidence and trust.",
]


def read_surfaces(lexdir):
    """surface forms of kind=phrase rows, by category (cues by identifier)."""
    out = {}
    for name in sorted(os.listdir(lexdir)):
        if not name.endswith(".tsv") or name == "identifiers.tsv":
            continue
        with open(os.path.join(lexdir, name), encoding="utf-8") as f:
            header = f.readline()
            if not header.startswith("category"):
                continue
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 4 or cols[3] != "phrase":
                    continue
                key = cols[0] if cols[0] != "cue" else "cue_" + cols[1]
                out.setdefault(key, []).append(cols[2])
    for k in out:
        out[k] = sorted(set(out[k]))
    return out


class Gen:
    def __init__(self, rng, lex):
        self.r = rng
        self.lex = lex

    def pick(self, key, default):
        v = self.lex.get(key)
        return self.r.choice(v) if v else default

    def fill(self, template, sp):
        r = self.r
        neg = self.pick("cue_negation", "no")
        return template.format(
            sp=sp, community=self.pick("community", "Somali"), theme=self.pick("theme", "knife crime"),
            incident=self.pick("incident", "stabbing"), indicator=self.pick("indicator", "fear"),
            place=self.pick("place", "Milton Keynes"), org=self.pick("organisation", "Thames Valley Police"),
            hedge=r.choice(["may", "might", "could"]), neg=neg, Neg=neg[:1].upper() + neg[1:],
            n=r.randint(1, 60), m=r.randint(1, 9), k=r.randint(0, 90), k2=r.randint(0, 90),
            month=f"{r.randint(1, 28)} {r.choice(MONTHS)}")

    def sentence(self, sp):
        r = self.r
        x = r.random()
        pool = CONCERN if x < 0.40 else HEDGE if x < 0.52 else NEGATED if x < 0.64 else \
            REASSURE if x < 0.76 else NEUTRAL
        return self.fill(r.choice(pool), sp)

    def date(self):
        r = self.r
        y, mo, d = r.randint(2016, 2025), r.randint(1, 12), r.randint(1, 28)
        return y, mo, d

    def minutes(self, target):
        r = self.r
        y, mo, d = self.date()
        people = []
        used = set()
        for _ in range(r.randint(8, 16)):
            fn, ln = r.choice(FIRST), r.choice(LAST)
            ini = fn[0] + ln[0]
            if ini in used:
                ini = fn[0] + fn[1].upper() + ln[0]
            if ini in used:
                continue
            used.add(ini)
            people.append((ini, r.choice(ROLES)))
        wd = DAYS[(y * 7 + mo * 3 + d) % 7]
        venue = self.pick("place", "Milton Keynes")
        out = [f"INDEPENDENT ADVISORY GROUP MEETING\n\nDATE: {wd} {d} {MONTHS[mo - 1]} {y}\n"
               f"TIME: 18:00 hrs\nLOCATION: Community Centre, {venue}\n\nInit\tPosition and Area\n"]
        out += [f"{ini}\t{role}\n" for ini, role in people]
        out.append("\n")
        size = sum(map(len, out))
        item = 0
        agenda = list(AGENDA)
        r.shuffle(agenda)
        while size < target and item < 40:
            item += 1
            title = agenda[(item - 1) % len(agenda)]
            block = [f"{item}. {title}:\n"]
            if r.random() < 0.1:
                block.append(r.choice(["Deferred to the next meeting.\n\n",
                                       "This item was deferred to the next meeting due to time.\n\n"]))
            else:
                for _ in range(r.randint(2, 5)):
                    ini = r.choice(people)[0]
                    para = " ".join(self.sentence(ini) for _ in range(r.randint(2, 5)))
                    block.append(para + "\n\n")
            s = "".join(block)
            out.append(s)
            size += len(s)
        nm = (mo % 12) + 1
        out.append(f"Date of next meeting: {d} {MONTHS[nm - 1]} {y + (mo == 12)}\n")
        return (y, mo, d), "iag-minutes", "".join(out)

    def report(self, target):
        r = self.r
        y, mo, d = self.date()
        out = [f"COMMUNITY SAFETY PARTNERSHIP\n\nOVERVIEW OF PARTNERSHIP ACTIVITY\n\n"
               f"Date: {d} {MONTHS[mo - 1]} {y}\n\nReport Author: Community Safety Manager\n\n"
               f"Purpose of Report: To update members on partnership work this quarter.\n\n"]
        size = sum(map(len, out))
        sections = list(REPORT_SECTIONS)
        n = 0
        while size < target and n < 30:
            n += 1
            title = sections[(n - 1) % len(sections)]
            block = [f"{n}. {title}\n\n"]
            if r.random() < 0.08:
                block.append("Nothing of note this quarter.\n\n")
            for m in range(1, r.randint(3, 7)):
                t = r.choice(REPORT).replace("{n}.{m}", f"{n}.{m}")
                block.append(self.fill(t, "") + "\n\n")
            s = "".join(block)
            out.append(s)
            size += len(s)
        return (y, mo, d), "partnership-report", "".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, required=True, help="corpus size in MB (10^6 bytes)")
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lexicons", default=os.path.join(here, "..", "..", "lexicons"))
    a = ap.parse_args()
    lex = read_surfaces(a.lexicons)
    if not lex.get("community") or not lex.get("theme"):
        sys.exit(f"gen_corpus: no community/theme phrases found in {a.lexicons}")
    rng = random.Random(a.seed)
    g = Gen(rng, lex)
    total, limit, i = 0, int(a.mb * 1_000_000), 0
    while total < limit:
        target = rng.randint(8000, 12000)
        (y, mo, d), kind, text = g.minutes(target) if rng.random() < 0.7 else g.report(target)
        folder = os.path.join(a.out, str(y))
        os.makedirs(folder, exist_ok=True)
        data = text.encode("utf-8")
        with open(os.path.join(folder, f"{kind}-{y}-{mo:02d}-{d:02d}-{i:06d}.txt"), "wb") as f:
            f.write(data)
        total += len(data)
        i += 1
    print(f"gen_corpus: {i} documents, {total} bytes in {a.out}")


if __name__ == "__main__":
    main()
