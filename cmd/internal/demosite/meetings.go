package demosite

import (
	"fmt"
	"time"
)

// Meeting kinds, spelled as the indexer spells them.
const (
	kindPlenary      = "plenary"
	kindPeerLearning = "peer-learning"
	kindAdHoc        = "ad-hoc"
	kindOnline       = "online"
)

// meeting is one row of the group's meeting calendar.
type meeting struct {
	Slug    string
	Kind    string // one of the kind* constants
	KickOff bool   // the plenary that launched the group
	Final   bool   // the group's last plenary
	Place   string // city; empty for an online meeting
	Country string // empty for an online meeting
	Start   time.Time
	End     time.Time
	PLA     int    // peer learning activity number; 0 for other meetings
	Topic   string // what the meeting was about, as it reads inside a title
	Themes  []string
	Summary string // one paragraph for the meeting page
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// meetings is the calendar of the group, in date order.
var meetings = []meeting{
	{
		Slug: "2016-02-brussels-kickoff", Kind: kindPlenary, KickOff: true,
		Place: "Brussels", Country: "Belgium", Start: day(2016, 2, 24), End: day(2016, 2, 25),
		Topic:   "the launch of the group, its mandate and work plan",
		Themes:  []string{"policy"},
		Summary: "The first meeting of the group brought the newly nominated members together to agree how the group would work, which themes it would take up first and where the peer learning activities of 2016 and 2017 would be held.",
	},
	{
		Slug: "2016-04-brussels-plenary", Kind: kindPlenary,
		Place: "Brussels", Country: "Belgium", Start: day(2016, 4, 20), End: day(2016, 4, 21),
		Topic:   "social inclusion and ICT",
		Themes:  []string{"social-inclusion", "policy"},
		Summary: "The second plenary asked how digital technology can widen rather than narrow the gap between learners, looking at connectivity in disadvantaged areas, assistive technology and the education of newly arrived migrant and refugee pupils.",
	},
	{
		Slug: "2016-07-hamburg-pla", Kind: kindPeerLearning, PLA: 1,
		Place: "Hamburg", Country: "Germany", Start: day(2016, 7, 5), End: day(2016, 7, 7),
		Topic:   "Bring Your Own Device",
		Themes:  []string{"byod", "mobile-learning"},
		Summary: "The first peer learning activity visited schools in Hamburg that let pupils bring their own smartphones, tablets and laptops to lessons, and compared the city's pilot with the device policies of other countries.",
	},
	{
		Slug: "2016-09-helsinki-pla", Kind: kindPeerLearning, PLA: 2,
		Place: "Helsinki", Country: "Finland", Start: day(2016, 9, 27), End: day(2016, 9, 29),
		Topic:   "coding and computational thinking",
		Themes:  []string{"coding", "teacher-training"},
		Summary: "The second peer learning activity looked at how Finland introduced programming into its new core curriculum for basic education from the first grades, and at what this asks of class teachers.",
	},
	{
		Slug: "2016-10-brussels-plenary", Kind: kindPlenary,
		Place: "Brussels", Country: "Belgium", Start: day(2016, 10, 19), End: day(2016, 10, 20),
		Topic:   "learning analytics",
		Themes:  []string{"learning-analytics"},
		Summary: "The autumn plenary examined learning analytics: what data about learners schools and universities already hold, what can responsibly be done with it, and which safeguards on privacy and ethics public authorities should set.",
	},
	{
		Slug: "2017-01-malta-pla", Kind: kindPeerLearning, PLA: 3,
		Place: "Valletta", Country: "Malta", Start: day(2017, 1, 25), End: day(2017, 1, 27),
		Topic:   "the changing role of the teacher in higher education",
		Themes:  []string{"teacher-training", "leadership"},
		Summary: "The third peer learning activity, hosted in Malta, turned to universities and asked how digital technology is changing the work of those who teach in higher education and how institutions support them.",
	},
	{
		Slug: "2017-03-brussels-plenary", Kind: kindPlenary,
		Place: "Brussels", Country: "Belgium", Start: day(2017, 3, 15), End: day(2017, 3, 16),
		Topic:   "open educational resources and open education",
		Themes:  []string{"oer", "digital-content"},
		Summary: "The spring plenary of 2017 discussed open educational resources and open education: licensing, repositories, quality and the policies that encourage teachers to share what they make.",
	},
	{
		Slug: "2017-04-belfast-pla", Kind: kindPeerLearning, PLA: 4,
		Place: "Belfast", Country: "United Kingdom", Start: day(2017, 4, 25), End: day(2017, 4, 27),
		Topic:   "partnerships to tackle the digital skills gap",
		Themes:  []string{"skills-gap"},
		Summary: "The fourth peer learning activity looked at how education, employers and government in Northern Ireland work together to close the gap between the digital skills the economy needs and those learners leave school with.",
	},
	{
		Slug: "2017-05-brussels-adhoc", Kind: kindAdHoc,
		Place: "Brussels", Country: "Belgium", Start: day(2017, 5, 23), End: day(2017, 5, 23),
		Topic:   "self-assessment tools for schools",
		Themes:  []string{"self-assessment"},
		Summary: "A one-day meeting on self-assessment tools for schools: the SELFIE self-reflection tool then under development and the European framework for the digital competence of educators, DigCompEdu.",
	},
	{
		Slug: "2017-06-vienna-pla", Kind: kindPeerLearning, PLA: 5,
		Place: "Vienna", Country: "Austria", Start: day(2017, 6, 8), End: day(2017, 6, 9),
		Topic:   "mobile learning and Education 4.0",
		Themes:  []string{"mobile-learning", "digital-assessment", "emerging-tech"},
		Summary: "The fifth peer learning activity looked at Austria's response to the digitalisation of work and industry: the Schule 4.0 strategy for schools, VET 4.0 for vocational education, mobile learning and digital assessment.",
	},
	{
		Slug: "2017-09-brussels-plenary", Kind: kindPlenary,
		Place: "Brussels", Country: "Belgium", Start: day(2017, 9, 20), End: day(2017, 9, 21),
		Topic:   "quality assurance, validation of digitally acquired skills and leadership",
		Themes:  []string{"quality-assurance", "leadership"},
		Summary: "The autumn plenary of 2017 discussed how skills acquired through digital and online learning can be quality assured, validated and recognised, and the part school and university leaders play in digital change.",
	},
	{
		Slug: "2017-10-tallinn-pla", Kind: kindPeerLearning, PLA: 6,
		Place: "Tallinn", Country: "Estonia", Start: day(2017, 10, 10), End: day(2017, 10, 12),
		Topic:   "digital and diagnostic assessment and learning analytics",
		Themes:  []string{"digital-assessment", "learning-analytics"},
		Summary: "The sixth peer learning activity, held during the Estonian Presidency of the Council, looked at digital and diagnostic assessment, the use of learning analytics and the wider impact of digitalisation on Estonian education.",
	},
	{
		Slug: "2017-12-zagreb-pla", Kind: kindPeerLearning, PLA: 7,
		Place: "Zagreb", Country: "Croatia", Start: day(2017, 12, 5), End: day(2017, 12, 7),
		Topic:   "teacher education",
		Themes:  []string{"teacher-training"},
		Summary: "The seventh peer learning activity, in Zagreb, was about teacher education: how initial teacher training and continuing professional development prepare teachers to teach with and about digital technology.",
	},
	{
		Slug: "2018-02-online-plenary", Kind: kindOnline,
		Start: day(2018, 2, 14), End: day(2018, 2, 14),
		Topic:   "the Digital Education Action Plan",
		Themes:  []string{"policy"},
		Summary: "A plenary held online to present the Digital Education Action Plan adopted by the Commission in January 2018 and to discuss how the group's work would feed into its follow-up.",
	},
	{
		Slug: "2018-03-paris-pla", Kind: kindPeerLearning, PLA: 8,
		Place: "Paris", Country: "France", Start: day(2018, 3, 20), End: day(2018, 3, 22),
		Topic:   "digital resources for schools",
		Themes:  []string{"digital-content", "oer"},
		Summary: "The eighth and last peer learning activity looked at digital resources for schools in France: how their quality is assured, how they reach teachers and how open resources sit beside commercial ones.",
	},
	{
		Slug: "2018-04-sofia-plenary", Kind: kindPlenary, Final: true,
		Place: "Sofia", Country: "Bulgaria", Start: day(2018, 4, 24), End: day(2018, 4, 25),
		Topic:   "emerging technologies and the results of the group",
		Themes:  []string{"emerging-tech", "policy"},
		Summary: "The final plenary, held in Sofia during the Bulgarian Presidency of the Council, looked at emerging technologies in education and took stock of what the group had achieved since 2016.",
	},
}

// meetingBySlug returns the meeting with the given slug.
func meetingBySlug(slug string) (*meeting, bool) {
	for i := range meetings {
		if meetings[i].Slug == slug {
			return &meetings[i], true
		}
	}
	return nil, false
}

// Dates renders the meeting's dates as "5-7 July 2016" or "23 May 2017".
func (m *meeting) Dates() string { return dateRange(m.Start, m.End) }

func dateRange(start, end time.Time) string {
	switch {
	case start.Equal(end):
		return fmt.Sprintf("%d %s %d", start.Day(), start.Month(), start.Year())
	case start.Year() == end.Year() && start.Month() == end.Month():
		return fmt.Sprintf("%d-%d %s %d", start.Day(), end.Day(), start.Month(), start.Year())
	case start.Year() == end.Year():
		return fmt.Sprintf("%d %s - %d %s %d", start.Day(), start.Month(), end.Day(), end.Month(), end.Year())
	default:
		return fmt.Sprintf("%d %s %d - %d %s %d", start.Day(), start.Month(), start.Year(), end.Day(), end.Month(), end.Year())
	}
}

// Where is "Hamburg, 5-7 July 2016", or only the dates for an online meeting.
func (m *meeting) Where() string {
	if m.Place == "" {
		return m.Dates()
	}
	return m.Place + ", " + m.Dates()
}

// Name names the meeting without place and dates, in sentence case:
// "Peer learning activity on coding and computational thinking (PLA#2)".
func (m *meeting) Name() string {
	switch {
	case m.KickOff:
		return "Kick-off meeting of the group"
	case m.Kind == kindPeerLearning:
		return fmt.Sprintf("Peer learning activity on %s (PLA#%d)", m.Topic, m.PLA)
	case m.Kind == kindAdHoc:
		return "Ad hoc meeting on " + m.Topic
	case m.Kind == kindOnline:
		return "Online plenary meeting on " + m.Topic
	case m.Final:
		return "Final plenary meeting on " + m.Topic
	default:
		return "Plenary meeting on " + m.Topic
	}
}

// Title is the meeting page's title:
// "Peer learning activity on Bring Your Own Device, Hamburg, 5-7 July 2016".
func (m *meeting) Title() string {
	switch {
	case m.KickOff:
		return "Kick-off meeting, " + m.Where()
	case m.Kind == kindPeerLearning:
		return "Peer learning activity on " + m.Topic + ", " + m.Where()
	default:
		// Ad hoc, online and plenary names carry no number to drop.
		return m.Name() + ", " + m.Where()
	}
}

// KindLabel is how the calendar describes the kind of meeting.
func (m *meeting) KindLabel() string {
	switch {
	case m.KickOff:
		return "Kick-off plenary"
	case m.Kind == kindPeerLearning:
		return fmt.Sprintf("Peer learning activity (PLA#%d)", m.PLA)
	case m.Kind == kindAdHoc:
		return "Ad hoc meeting"
	case m.Kind == kindOnline:
		return "Online plenary"
	case m.Final:
		return "Final plenary"
	default:
		return "Plenary"
	}
}

// Location is "Hamburg, Germany", "Valletta, Malta" or "Online".
func (m *meeting) Location() string {
	if m.Place == "" {
		return "Online"
	}
	return m.Place + ", " + m.Country
}
