/**
 * Abbreviation tables for addresses. One canonical spelling per meaning, so
 * "12 Smith St" and "12 SMITH STREET" meet. Sources: USPS Publication 28
 * suffixes and Australia Post / AS 4590 street types, common designators.
 */
export const STREET_TOKENS = new Map<string, string>(
  Object.entries({
    street: ['st', 'str', 'strt'],
    road: ['rd'],
    avenue: ['ave', 'av', 'avn', 'aven', 'avenu', 'avnue'],
    drive: ['dr', 'drv', 'drve'],
    lane: ['ln'],
    court: ['ct', 'crt'],
    place: ['pl'],
    crescent: ['cres', 'cr', 'crs', 'cresc'],
    highway: ['hwy', 'hway', 'hiway'],
    boulevard: ['blvd', 'bvd', 'boul', 'boulv'],
    parade: ['pde'],
    terrace: ['tce', 'ter', 'terr'],
    circuit: ['cct'],
    circle: ['cir', 'circ', 'crcl'],
    close: ['cl'],
    square: ['sq'],
    parkway: ['pkwy', 'pky', 'parkwy'],
    freeway: ['fwy', 'frwy'],
    expressway: ['expy', 'expwy'],
    way: ['wy'],
    grove: ['gr', 'gro', 'gv'],
    esplanade: ['esp', 'espl'],
    alley: ['aly', 'ally'],
    trail: ['trl'],
    mount: ['mt'],
    heights: ['hts'],
    gardens: ['gdns'],
    point: ['pt'],
    route: ['rte'],
    unit: ['apt', 'apartment', 'flat'],
    suite: ['ste'],
    floor: ['fl', 'flr'],
    level: ['lvl', 'lev'],
    building: ['bldg'],
    north: ['n', 'nth'],
    south: ['s', 'sth'],
    east: ['e'],
    west: ['w'],
    northeast: ['ne'],
    northwest: ['nw'],
    southeast: ['se'],
    southwest: ['sw'],
  }).flatMap(([canonical, abbreviations]) => abbreviations.map((a): [string, string] => [a, canonical])),
);

/** Canonical words after which "st" cannot start a "Saint ..." name. */
export const ADDRESS_KEYWORDS = new Set(STREET_TOKENS.values());

/** City-name abbreviations: "St Louis" / "Saint Louis", "Mt Isa" / "Mount Isa". */
export const CITY_TOKENS = new Map<string, string>([
  ['st', 'saint'], ['ste', 'sainte'], ['mt', 'mount'], ['ft', 'fort'],
]);

/** US and Australian state/territory names (normalised text) to their postal abbreviations. */
export const STATE_ABBREVIATIONS = new Map<string, string>(
  Object.entries({
    // Australia
    nsw: ['new south wales'], vic: ['victoria', 'vict'], qld: ['queensland'], wa: ['western australia', 'washington', 'wash'],
    sa: ['south australia'], tas: ['tasmania'], act: ['australian capital territory'], nt: ['northern territory'],
    // United States, DC and inhabited territories
    al: ['alabama', 'ala'], ak: ['alaska'], az: ['arizona', 'ariz'], ar: ['arkansas', 'ark'], ca: ['california', 'calif', 'cal'],
    co: ['colorado', 'colo'], ct: ['connecticut', 'conn'], de: ['delaware', 'del'], fl: ['florida', 'fla'], ga: ['georgia'],
    hi: ['hawaii'], id: ['idaho'], il: ['illinois', 'ill'], in: ['indiana', 'ind'], ia: ['iowa'], ks: ['kansas', 'kan', 'kans'],
    ky: ['kentucky'], la: ['louisiana'], me: ['maine'], md: ['maryland'], ma: ['massachusetts', 'mass'], mi: ['michigan', 'mich'],
    mn: ['minnesota', 'minn'], ms: ['mississippi', 'miss'], mo: ['missouri'], mt: ['montana', 'mont'], ne: ['nebraska', 'neb'],
    nv: ['nevada', 'nev'], nh: ['new hampshire'], nj: ['new jersey'], nm: ['new mexico'], ny: ['new york'],
    nc: ['north carolina'], nd: ['north dakota'], oh: ['ohio'], ok: ['oklahoma', 'okla'], or: ['oregon', 'ore', 'oreg'],
    pa: ['pennsylvania', 'penn', 'penna'], ri: ['rhode island'], sc: ['south carolina'], sd: ['south dakota'],
    tn: ['tennessee', 'tenn'], tx: ['texas', 'tex'], ut: ['utah'], vt: ['vermont'], va: ['virginia'], wv: ['west virginia'],
    wi: ['wisconsin', 'wis', 'wisc'], wy: ['wyoming', 'wyo'],
    dc: ['district of columbia', 'washington dc'], pr: ['puerto rico'], gu: ['guam'],
    vi: ['virgin islands', 'us virgin islands', 'u s virgin islands'], as: ['american samoa'], mp: ['northern mariana islands'],
  }).flatMap(([abbreviation, names]) => names.map((n): [string, string] => [n, abbreviation])),
);
