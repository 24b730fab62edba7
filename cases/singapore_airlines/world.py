"""World ``singapore_airlines``: two loyalties — cabin crew and frequent flyers.

The casebook chapter (CRM Q&A compilation (source 0), lines 95–98 and 152–155 (section ㈣)) teaches that
an airline must win two loyalties, of its external customers and of its own employees; CRM Q&A compilation (source 0), line 198
adds that satisfied employees give better service and satisfied customers come back. Public record: Singapore
Airlines runs the KrisFlyer frequent-flyer programme with elite tiers (KrisFlyer, Elite Silver, Elite Gold)
and is known for its cabin-crew training. The five loyalty types (monopoly, inertia, price, incentive, trust;
attachment × repeat purchase) are from CRM article collection (source 3), lines 557–571; the
satisfaction–loyalty curve is British Telecom's (CRM article collection (source 3), line 653: the most dissatisfied 15% look for
alternatives, a flat middle where satisfied customers still leave, the most satisfied 15% very loyal).
Everything else — routes' competition, crews, members, rates, earning table, thresholds — is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.purchases import weeks_to_dates
from crmlab.worlds.mech.surveys import SurveyItem, draw_survey, link_latent
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

START = "2024-01-01"
WEEKS = 52.0
PROMO_WINDOWS = ((10.0, 14.0), (36.0, 40.0))       # two synthetic double-miles promotions of four weeks
PROMO_FRACTION = sum(e - b for b, e in PROMO_WINDOWS) / WEEKS
# Destinations from Singapore: approximate great-circle distance in miles; competitors = 0 marks a route
# the airline serves alone in this synthetic world.
ROUTES = (("KUL", 185, 3), ("SGN", 680, 3), ("CGK", 550, 3), ("BKK", 890, 4), ("DPS", 1040, 3),
          ("MNL", 1490, 2), ("HKG", 1600, 3), ("PVG", 2360, 2), ("PEK", 2780, 2), ("ICN", 2890, 2),
          ("NRT", 3310, 2), ("BOM", 2430, 2), ("DEL", 2570, 2), ("PER", 2430, 0), ("SYD", 3910, 2),
          ("MEL", 3760, 2), ("BNE", 3800, 1), ("AKL", 5220, 0), ("DXB", 3630, 1), ("FRA", 6380, 1),
          ("LHR", 6740, 1), ("CDG", 6670, 1), ("ZRH", 6390, 0), ("SFO", 8450, 1), ("LAX", 8770, 1),
          ("JFK", 9530, 0))
ROUTE_NAMES = tuple(f"SIN-{r}" for r, _, _ in ROUTES)
DISTANCE = np.array([d for _, d, _ in ROUTES], dtype=float)
COMPETITORS = np.array([c for _, _, c in ROUTES], dtype=np.int64)
ROUTE_WEIGHT = 1.0 / np.sqrt(DISTANCE) / (1.0 / np.sqrt(DISTANCE)).sum()
CABINS = {"economy": (0.75, 1.00), "premium_economy": (0.10, 1.10), "business": (0.13, 1.25),
          "first": (0.02, 1.50)}                   # share of flights, elite-mile factor (illustrative)
FARES = {"promo": 0.50, "standard": 1.00, "flexible": 1.25}   # elite-mile factor by fare type (illustrative)
TIERS = ("KrisFlyer", "Elite Silver", "Elite Gold")

# Loyalty types (CRM article collection (source 3), lines 557–571) plus members who are not loyal at all. Per type: share, mean
# attachment (latent attitude), share of the member's air trips flown with the airline, probability a
# flight is on a promo fare, share of flights inside promotion windows, mean years of membership.
TYPES = {
    "trust":     dict(share=0.20, attitude=1.50, sow=0.85, promo=0.10, window=PROMO_FRACTION, tenure=5.0),
    "monopoly":  dict(share=0.10, attitude=-0.50, sow=0.90, promo=0.15, window=PROMO_FRACTION, tenure=5.0),
    "inertia":   dict(share=0.15, attitude=-0.35, sow=0.75, promo=0.15, window=PROMO_FRACTION, tenure=11.0),
    "price":     dict(share=0.15, attitude=-0.35, sow=0.50, promo=0.75, window=PROMO_FRACTION, tenure=4.0),
    "incentive": dict(share=0.15, attitude=-0.35, sow=0.70, promo=0.15, window=0.60, tenure=4.0),
    "none":      dict(share=0.25, attitude=-0.50, sow=0.20, promo=0.25, window=PROMO_FRACTION, tenure=3.0),
}
TYPE_NAMES = tuple(TYPES)
ATTITUDE_SD = 0.5
TRUST_SATISFACTION = 0.8      # trust members are more satisfied (loyal implies satisfied: CRM article collection (source 3), lines 573–647)
TRIPS_PER_YEAR, TRIPS_SHAPE = 10.0, 2.0   # a member's air trips with any airline: Gamma(shape, mean)
SOW_CONCENTRATION = 12.0
MAIN_ROUTE_SHARE = 0.75
CREW_TEAM_SHARE = 0.4          # share of a crew member's satisfaction variance shared with the team
FLIGHT_TEAM_SHARE = 0.3        # share of a flight experience's variance due to the team's service quality
CREW_ITEMS = (SurveyItem("q_engaged", 0.80), SurveyItem("q_supported", 0.75), SurveyItem("q_proud", 0.70))
FLIGHT_ITEMS = (SurveyItem("q_crew", 0.85), SurveyItem("q_overall", 0.75))
SAT_ITEMS = (SurveyItem("sat_overall", 0.90, n_points=11, first=0), SurveyItem("sat_service", 0.85),
             SurveyItem("sat_value", 0.70))
ATT_ITEMS = (SurveyItem("att_attached", 0.85), SurveyItem("att_first_choice", 0.80),
             SurveyItem("att_recommend", 0.75))

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 300, "n_crew_teams": 20, "crew_per_team": 5}

KNOBS = (
    Knob("n_customers", 5_000, int, "frequent-flyer members", 100, 1_000_000, unit="members"),
    Knob("n_crew_teams", 120, int, "cabin-crew teams; each flight is operated by one team", 5, 5_000,
         unit="teams"),
    Knob("crew_per_team", 20, int, "crew members per team", 2, 200, unit="crew"),
    Knob("employee_effect", 0.6, float, "standardised effect of a crew team's satisfaction on the service "
         "quality passengers experience on its flights", -0.95, 0.95),
    Knob("experience_weight", 0.7, float, "standardised weight of the year's flight experiences in a member's "
         "overall satisfaction", 0.0, 0.99),
    Knob("silver_threshold", 25_000, int, "elite miles in the year for Elite Silver (KrisFlyer-style tier; "
         "illustrative default)", 1, 10_000_000, unit="miles"),
    Knob("gold_threshold", 50_000, int, "elite miles in the year for Elite Gold; must exceed silver_threshold",
         2, 10_000_000, unit="miles"),
    Knob("bt_low_cut", 0.15, float, "satisfaction percentile below which members look for alternatives "
         "(British Telecom: the most dissatisfied 15%)", 0.01, 0.98),
    Knob("bt_high_cut", 0.85, float, "satisfaction percentile above which members are very loyal (BT: the most "
         "satisfied 15%); must exceed bt_low_cut", 0.02, 0.99),
    Knob("defect_dissatisfied", 0.45, float, "probability of defecting next year below bt_low_cut", 0.0, 1.0),
    Knob("defect_middle", 0.15, float, "probability of defecting next year in the flat middle", 0.0, 1.0),
    Knob("defect_delighted", 0.03, float, "probability of defecting next year above bt_high_cut", 0.0, 1.0),
    Knob("survey_response_rate", 0.4, float, "share of members answering the year-end survey", 0.05, 1.0),
    Knob("flight_survey_rate", 0.2, float, "share of flights whose passenger answers the post-flight survey",
         0.01, 1.0),
)

TABLES = (
    Table("routes", "One row per route flown from Singapore.", (
        Column("route", "category", "route"),
        Column("distance", "int64", "approximate great-circle distance", "miles"),
        Column("competitors", "int64", "other airlines flying the route non-stop (synthetic; 0 = none)"),
    )),
    Table("crew", "One row per cabin-crew member.", (
        Column("crew_id", "int64", "crew member number"),
        Column("crew_team", "int64", "team"),
        Column("tenure_years", "float64", "years with the airline", "years"),
        Column("left_within_year", "bool", "resigned during the year (employee loyalty)"),
    )),
    Table("crew_survey", "Crew engagement survey, respondents only (5-point Likert).", (
        Column("crew_id", "int64", "crew member"),
        Column("crew_team", "int64", "team"),
        Column("q_engaged", "int64", "I am engaged in my work", "1-5"),
        Column("q_supported", "int64", "the company supports me", "1-5"),
        Column("q_proud", "int64", "I am proud to serve our passengers", "1-5"),
    )),
    Table("members", "One row per frequent-flyer member.", (
        Column("member_id", "int64", "member number"),
        Column("joined", "datetime64[ns]", "date of joining the programme"),
        Column("tier", "category", "tier earned with the year's elite miles"),
        Column("retained", "bool", "still flying with the airline the following year"),
    )),
    Table("flights", "One row per flight segment flown by a member in the year, by member and date.", (
        Column("flight_id", "int64", "segment number"),
        Column("member_id", "int64", "member"),
        Column("date", "datetime64[ns]", "date flown"),
        Column("route", "category", "route"),
        Column("crew_team", "int64", "cabin-crew team operating the flight"),
        Column("cabin", "category", "cabin class"),
        Column("fare_type", "category", "promo, standard or flexible fare"),
        Column("double_miles", "bool", "flown during a double-miles promotion"),
        Column("miles", "int64", "elite miles earned: distance × cabin factor × fare factor", "miles"),
    )),
    Table("flight_survey", "Post-flight survey, respondents only (5-point Likert).", (
        Column("flight_id", "int64", "segment rated"),
        Column("crew_team", "int64", "crew team of that flight"),
        Column("q_crew", "int64", "the cabin crew looked after me well", "1-5"),
        Column("q_overall", "int64", "overall flight experience", "1-5"),
    )),
    Table("member_survey", "Year-end member survey, respondents only.", (
        Column("member_id", "int64", "member"),
        Column("sat_overall", "int64", "overall satisfaction with the airline", "0-10"),
        Column("sat_service", "int64", "satisfaction with service", "1-5"),
        Column("sat_value", "int64", "satisfaction with value for money", "1-5"),
        Column("att_attached", "int64", "I feel attached to this airline", "1-5"),
        Column("att_first_choice", "int64", "it is my first choice whatever the price", "1-5"),
        Column("att_recommend", "int64", "I speak well of it to others", "1-5"),
        Column("sow_reported", "int64", "share of my air trips flown with this airline (rounded to 10)", "%"),
    )),
)

DESCRIPTION = f"""
Crew: each of n_crew_teams teams has a latent satisfaction K ~ N(0, 1); a crew member's satisfaction is
link(K, sqrt({CREW_TEAM_SHARE})) (``link_latent``: child = b·parent + sqrt(1−b²)·noise), answered in a
three-item survey; crew resign during the year with P = expit(−1.5 − 0.8·satisfaction) — employee loyalty.

Members have a latent loyalty type — trust, monopoly, inertia, price, incentive (CRM article collection (source 3), lines 557–571)
or none — with shares {', '.join(f"{t} {v['share']:.0%}" for t, v in TYPES.items())}. The type sets the
member's attachment (attitude ~ N(type mean, {ATTITUDE_SD}²)), the share of the member's air trips flown with the
airline (Beta around {', '.join(f"{t} {v['sow']}" for t, v in TYPES.items())}), the chance of a promo fare,
the share of flights in the two double-miles windows (incentive members chase promotions), and tenure
(inertia members are long-standing). Monopoly members' main route is one the airline flies alone.

A member makes Gamma(shape {TRIPS_SHAPE}, mean {TRIPS_PER_YEAR}) air trips a year and flies the airline on a
share of them (Poisson process, mech.visits), {MAIN_ROUTE_SHARE:.0%} on the member's main route. Each flight is
operated by a random crew team; the team's service quality is Q = link(K, employee_effect) and a passenger's
experience of a flight is link(Q_team, sqrt({FLIGHT_TEAM_SHARE})). A member's
overall satisfaction = link(standardised mean experience, experience_weight) + {TRUST_SATISFACTION}·[trust].

Retention follows the British Telecom curve (CRM article collection (source 3), line 653) in the member's satisfaction percentile:
P(defect) = defect_dissatisfied below bt_low_cut, defect_middle in between, defect_delighted above
bt_high_cut. Tiers: elite miles (distance × cabin factor × fare factor) ≥ silver_threshold → Elite Silver,
≥ gold_threshold → Elite Gold. Surveys: post-flight (flight experience), year-end (satisfaction, attachment,
self-reported share of trips).
"""


@register("singapore_airlines", title="Singapore Airlines: two loyalties (crew and frequent flyers)",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES)
def build(rng: np.random.Generator, k: dict) -> tuple[dict, dict]:
    """Draw crew, members, flights and surveys; see DESCRIPTION."""
    if k["gold_threshold"] <= k["silver_threshold"]:
        raise ValueError(f"knob 'gold_threshold' of world 'singapore_airlines' must exceed silver_threshold "
                         f"({k['silver_threshold']}), got {k['gold_threshold']}")
    if k["bt_high_cut"] <= k["bt_low_cut"]:
        raise ValueError(f"knob 'bt_high_cut' of world 'singapore_airlines' must exceed bt_low_cut "
                         f"({k['bt_low_cut']}), got {k['bt_high_cut']}")
    # Crew
    n_t = k["n_crew_teams"]
    team_sat = rng.standard_normal(n_t)
    crew_team = np.repeat(np.arange(n_t), k["crew_per_team"])
    crew_sat = link_latent(rng, team_sat[crew_team], np.sqrt(CREW_TEAM_SHARE))
    n_crew = crew_team.size
    crew_id = np.arange(1, n_crew + 1, dtype=np.int64)
    _, left = logit_draw(rng, -1.5 - 0.8 * crew_sat)
    crew = pd.DataFrame({"crew_id": crew_id, "crew_team": crew_team.astype(np.int64) + 1,
                         "tenure_years": np.round(rng.gamma(2.0, 3.0, n_crew), 1), "left_within_year": left == 1})
    cs = draw_survey(rng, crew_sat, CREW_ITEMS, shift=0.3, response_rate=0.7, ids=crew_id, id_name="crew_id")
    crew_survey = cs.responses
    crew_survey.insert(1, "crew_team", crew_team[cs.responded].astype(np.int64) + 1)

    # Members and their loyalty types
    n = k["n_customers"]
    par = {key: np.array([v[key] for v in TYPES.values()]) for key in next(iter(TYPES.values()))}
    ltype = rng.choice(len(TYPES), size=n, p=par["share"])
    attitude = par["attitude"][ltype] + ATTITUDE_SD * rng.standard_normal(n)
    sow = rng.beta(SOW_CONCENTRATION * par["sow"][ltype], SOW_CONCENTRATION * (1 - par["sow"][ltype]))
    tenure = rng.gamma(4.0, par["tenure"][ltype] / 4.0)
    is_mono = ltype == TYPE_NAMES.index("monopoly")
    w_mono = np.where(COMPETITORS == 0, ROUTE_WEIGHT, 0.0)
    main_route = np.where(is_mono, rng.choice(len(ROUTES), size=n, p=w_mono / w_mono.sum()),
                          rng.choice(len(ROUTES), size=n, p=ROUTE_WEIGHT))
    trips = rng.gamma(TRIPS_SHAPE, TRIPS_PER_YEAR / TRIPS_SHAPE, n)
    rate = trips * sow / WEEKS                                   # flights per week with the airline
    share_in = par["window"][ltype]
    open_in = PROMO_FRACTION * WEEKS
    outside = ((0.0, PROMO_WINDOWS[0][0]), (PROMO_WINDOWS[0][1], PROMO_WINDOWS[1][0]), (PROMO_WINDOWS[1][1], WEEKS))
    who, when = merge_visits(poisson_visits(rng, rate * WEEKS * share_in / open_in, PROMO_WINDOWS),
                             poisson_visits(rng, rate * WEEKS * (1 - share_in) / (WEEKS - open_in), outside))
    n_f = who.size

    # Flights
    on_main = rng.random(n_f) < MAIN_ROUTE_SHARE
    route = np.where(on_main, main_route[who], rng.choice(len(ROUTES), size=n_f, p=ROUTE_WEIGHT))
    team = rng.integers(0, n_t, n_f)
    cabin = rng.choice(len(CABINS), size=n_f, p=[share for share, _ in CABINS.values()])
    p_promo = par["promo"][ltype][who]
    fare = np.where(rng.random(n_f) < p_promo, 0, np.where(rng.random(n_f) < 0.7, 1, 2))
    factor = np.array([f for _, f in CABINS.values()])[cabin] * np.array(list(FARES.values()))[fare]
    miles = np.round(DISTANCE[route] * factor).astype(np.int64)
    in_promo = np.zeros(n_f, dtype=bool)
    for b, e in PROMO_WINDOWS:
        in_promo |= (when >= b) & (when < e)
    service = link_latent(rng, team_sat, k["employee_effect"])          # team's passenger service quality
    experience = link_latent(rng, service[team], np.sqrt(FLIGHT_TEAM_SHARE))
    flight_id = np.arange(1, n_f + 1, dtype=np.int64)
    member_id = np.arange(1, n + 1, dtype=np.int64)
    flights = pd.DataFrame({
        "flight_id": flight_id, "member_id": member_id[who], "date": weeks_to_dates(START, when),
        "route": pd.Categorical.from_codes(route, categories=list(ROUTE_NAMES)),
        "crew_team": team.astype(np.int64) + 1,
        "cabin": pd.Categorical.from_codes(cabin, categories=list(CABINS)),
        "fare_type": pd.Categorical.from_codes(fare, categories=list(FARES)),
        "double_miles": in_promo, "miles": miles})
    fs = draw_survey(rng, experience, FLIGHT_ITEMS, shift=0.4, response_rate=k["flight_survey_rate"],
                     ids=flight_id, id_name="flight_id")
    flight_survey = fs.responses
    flight_survey.insert(1, "crew_team", team[fs.responded].astype(np.int64) + 1)

    # Satisfaction, the British Telecom curve, tiers
    n_flown = np.bincount(who, minlength=n)
    mean_exp = np.bincount(who, weights=experience, minlength=n) / np.maximum(n_flown, 1)
    std_exp = np.where(n_flown > 0, mean_exp * np.sqrt(n_flown), rng.standard_normal(n))
    satisfaction = link_latent(rng, std_exp, k["experience_weight"]) + \
        TRUST_SATISFACTION * (ltype == TYPE_NAMES.index("trust"))
    percentile = (np.argsort(np.argsort(satisfaction, kind="stable"), kind="stable") + 0.5) / n
    p_defect = np.where(percentile < k["bt_low_cut"], k["defect_dissatisfied"],
                        np.where(percentile > k["bt_high_cut"], k["defect_delighted"], k["defect_middle"]))
    retained = rng.random(n) >= p_defect
    elite = np.bincount(who, weights=miles, minlength=n).astype(np.int64)
    tier = (elite >= k["silver_threshold"]).astype(np.int64) + (elite >= k["gold_threshold"])
    joined = weeks_to_dates(START, np.zeros(n)) - (np.round(tenure * 365.25).astype(np.int64) * np.timedelta64(1, "D"))
    members = pd.DataFrame({"member_id": member_id, "joined": joined.astype("datetime64[ns]"),
                            "tier": pd.Categorical.from_codes(tier, categories=list(TIERS)), "retained": retained})

    # Year-end survey: satisfaction and attitude items, self-reported share of trips
    sat_std = (satisfaction - satisfaction.mean()) / satisfaction.std()
    respond = rng.random(n) < k["survey_response_rate"]
    ids = member_id[respond]
    sat_part = draw_survey(rng, sat_std[respond], SAT_ITEMS, shift=0.3, ids=ids, id_name="member_id").responses
    att_part = draw_survey(rng, attitude[respond], ATT_ITEMS).responses
    sow_rep = np.clip(np.round((sow[respond] + rng.normal(0, 0.08, ids.size)) * 10) * 10, 0, 100).astype(np.int64)
    member_survey = pd.concat([sat_part, att_part], axis=1)
    member_survey["sow_reported"] = sow_rep

    routes = pd.DataFrame({"route": pd.Categorical(ROUTE_NAMES, categories=list(ROUTE_NAMES)),
                           "distance": DISTANCE.astype(np.int64), "competitors": COMPETITORS})
    truth = {
        "loyalty_type": pd.Series(pd.Categorical.from_codes(ltype, categories=list(TYPE_NAMES)),
                                  index=pd.Index(member_id, name="member_id"), name="loyalty_type"),
        "loyalty_types": {t: dict(v) for t, v in TYPES.items()},
        "employee_effect": k["employee_effect"],
        "experience_weight": k["experience_weight"],
        "trust_satisfaction_shift": TRUST_SATISFACTION,
        "bt_curve": {"low_cut": k["bt_low_cut"], "high_cut": k["bt_high_cut"],
                     "defect_dissatisfied": k["defect_dissatisfied"], "defect_middle": k["defect_middle"],
                     "defect_delighted": k["defect_delighted"]},
        "crew_turnover_logit": {"intercept": -1.5, "satisfaction": -0.8},
        "tier_thresholds": {"Elite Silver": k["silver_threshold"], "Elite Gold": k["gold_threshold"]},
        "promo_windows_weeks": [list(w) for w in PROMO_WINDOWS],
        "flight_team_share": FLIGHT_TEAM_SHARE,
        "team_latent": pd.DataFrame({"crew_satisfaction": team_sat, "service_quality": service},
                                    index=pd.Index(np.arange(1, n_t + 1, dtype=np.int64), name="crew_team")),
        "member_latent": pd.DataFrame({"satisfaction": satisfaction, "percentile": percentile,
                                       "p_defect": p_defect, "attitude": attitude, "share_of_wallet": sow,
                                       "trips_per_year": trips, "main_route": np.asarray(ROUTE_NAMES)[main_route]},
                                      index=pd.Index(member_id, name="member_id")),
        "flight_experience": pd.Series(experience, index=pd.Index(flight_id, name="flight_id"), name="experience"),
    }
    tables = {"routes": routes, "crew": crew, "crew_survey": crew_survey.reset_index(drop=True),
              "members": members, "flights": flights, "flight_survey": flight_survey.reset_index(drop=True),
              "member_survey": member_survey.reset_index(drop=True)}
    return tables, truth
