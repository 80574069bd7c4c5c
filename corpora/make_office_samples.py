"""Writes the sample corpus's Word and PDF documents (fiction, see README.md)
with the writers in tests/e2e/docfixtures.py. The output is deterministic;
run it from the repository root after editing the content below:

    python3 corpora/make_office_samples.py
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import docfixtures as fx  # noqa: E402

REPORT_2025_08 = [
    ("h", 1, "SAFER MK PARTNERSHIP: OVERVIEW OF PARTNERSHIP ACTIVITY"),
    ("p", "Date: 21 August 2025"),
    ("h", 2, "Report Author:"),
    ("p", "Community Safety Manager, Milton Keynes City Council"),
    ("h", 2, "Purpose of Report:"),
    ("p", "To update members on the partnership response to the disorder at the Parkway Lodge Hotel in "
          "Kents Hill, the rise in anti-Muslim hate crime, and the stabbing in Netherfield on 2nd August."),
    ("p", "FOR INFORMATION"),
    ("h", 2, "1. Background"),
    ("p", "1.1 On 26th July a protest outside the Parkway Lodge Hotel, which houses Afghan and Syrian "
          "asylum seekers, turned into disorder. Two officers were injured and fourteen people have now "
          "been charged. Residents of the hotel told support workers that they were frightened to leave "
          "the building for several days afterwards."),
    ("p", "1.2 Hate crime reports peaked in July. Most were against the Muslim community, including "
          "verbal abuse of women wearing headscarves in Bletchley and Central Milton Keynes."),
    ("h", 2, "2. Recommendations"),
    ("p", "2.1 Members are asked to note the activity set out below and to support the community "
          "cohesion plan for the autumn."),
    ("h", 2, "3. Partnership Activity to Note"),
    ("h", 3, "3.1 Hate Crime and Community Cohesion"),
    ("p", "Reassurance patrols continued at mosques in Bletchley and Conniburrow and at the synagogue. "
          "Faith leaders met the Chief Executive and the LPA Commander on 5th August and issued a joint "
          "statement calling for calm."),
    ("p", "The hate crime third-party reporting centres were promoted through the mosques, the library "
          "and the Citizens Advice office. Victim support has contacted every person who reported a hate "
          "incident in July."),
    ("p", "Members should be aware that rumours are circulating on social media that a second protest "
          "is being planned for October. There could be further tension around the hotel if this goes ahead."),
    ("h", 3, "3.2 Violence and Knife Crime"),
    ("p", "On 2nd August a 19-year-old man was stabbed in Netherfield and taken to hospital with serious "
          "injuries. Two men have been arrested. Parents in Netherfield and Coffee Hall have told youth "
          "workers that they are afraid for their sons, and some young people say they carry knives for "
          "protection."),
    ("p", "No Section 60 order was authorised after this incident. The police have shared the stop and "
          "search figures for July with the Independent Advisory Group, and the disproportionality ratio "
          "for Black residents fell to 3.1."),
    ("li", "Detached youth work extended in Netherfield until the end of September"),
    ("li", "Knife crime awareness session for parents at the Netherfield community centre"),
    ("li", "Weapon sweeps of the redways near the local centre with volunteers"),
    ("h", 3, "3.3 Funding"),
    ("table", [["Project", "Area", "Amount"],
               ["Detached youth work", "Netherfield", "£9,600.00"],
               ["Community cohesion events", "Kents Hill", "£4,000.00"],
               ["Hate crime reporting centres", "Borough-wide", "£2,750.00"]]),
    ("h", 2, "4. Next Steps"),
    ("p", "The partnership will report on the autumn cohesion plan at the October meeting."),
]

IAG_2025_10_15 = [
    ("p", "INDEPENDENT ADVISORY GROUP: EXTRAORDINARY MEETING"),
    ("p", "DATE: Wednesday 15th October 2025"),
    ("p", "TIME: 18:00 hrs"),
    ("p", "LOCATION: Kents Hill Community Pavilion, Milton Keynes"),
    ("table", [["Init", "Position and Area"], ["RA", "IAG Chair"], ["HB", "TVP Community & Diversity Officer"],
               ["PC", "TVP LPA Commander"], ["JW", "MKC Community Safety"], ["FA", "IAG Member"],
               ["SO", "IAG Member"], ["KL", "IAG Member"], ["EO", "IAG Member"], ["BW", "Youth Worker"],
               ["CI", "TVP Admin Support Officer"]]),
    ("p", "1. Welcome and purpose of the meeting"),
    ("p", "RA welcomed members to this extraordinary meeting, called to advise the police on the planned "
          "protest outside the Parkway Lodge Hotel on Saturday 18th October."),
    ("p", "2. Police update"),
    ("p", "PC said that the organisers have notified the police of a static protest of up to two hundred "
          "people. PC said that a counter-protest has also been announced, and that officers will keep the "
          "two groups apart. PC said that there is no intelligence of planned violence, but that the "
          "disorder in July means the police will have more officers available."),
    ("p", "HB said that the hotel residents, most of them Afghan and Syrian asylum seekers, have been told "
          "about the arrangements through the hotel staff and an interpreter."),
    ("p", "3. Community concerns"),
    ("p", "FA said that the Muslim community in Kents Hill and Bletchley is anxious after the attacks in "
          "the summer, and that women have said they will stay at home on Saturday."),
    ("p", "SO said that young Black men in Fishermead still feel they were targeted by the Section 60 "
          "searches in April, and asked that any stop and search on the day is recorded on body-worn video."),
    ("p", "KL said that a video is being shared on social media claiming that a resident of the hotel "
          "attacked a girl in Campbell Park. KL said that this is false and that it is causing fear among "
          "parents. PC confirmed that no such incident has been reported."),
    ("p", "EO said that the Afghan community is worried about reprisals, and that some families have "
          "asked the mosque for advice on what to tell their children."),
    ("p", "BW said that young people are talking about the protest at school and that some are planning "
          "to go and watch. BW said that youth workers will be at the Kents Hill local centre on Saturday "
          "afternoon."),
    ("p", "4. Advice to the police"),
    ("p", "RA summarised the advice of the group: visible but calm policing; quick and public rebuttal of "
          "false stories; reassurance visits to the mosques and the hotel on Friday and Sunday; and a "
          "debrief with the IAG the following week."),
    ("p", "JW said that the council will open the community pavilion on Saturday as a safe space and that "
          "the welcome event planned by residents will take place on Sunday."),
    ("p", "5. Date of next meeting"),
    ("p", "The next meeting will be held on 12th November 2025 at the Stonebridge Pavilion."),
]


def main():
    out = os.path.join(ROOT, "corpora", "sample")
    with open(os.path.join(out, "partnership-report-2025-08.docx"), "wb") as f:
        f.write(fx.to_docx(REPORT_2025_08, extras=False))
    with open(os.path.join(out, "iag-minutes-2025-10-15.pdf"), "wb") as f:
        f.write(fx.to_pdf(IAG_2025_10_15, header="Milton Keynes Independent Advisory Group",
                          footer="OFFICIAL - extraordinary meeting notes", lines_per_page=34, width=72))


if __name__ == "__main__":
    main()
