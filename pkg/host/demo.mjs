// `universal-members serve --demo`: about 200 made-up members, so a first run
// shows a populated directory, profiles and an admin console with something to
// moderate. Offline: nothing is fetched, and no member has a photo.

/**
 * The demo members are a pure function of their number and the day they are
 * anchored to: member `i` is drawn from its own PRNG (mulberry32 seeded with
 * `DEMO_SEED` and `i`), so its id, contact id, address ids, name, email, status,
 * privacy and dates come out the same on every run and on every machine. Dates
 * are offsets (in whole seconds) back from `today` (midnight UTC of the day the
 * server starts unless given), spread over the two years before it with more
 * members recently, as a growing site would have; `_updatedDate` and
 * `lastLoginDate` fall between the join date and `today`.
 *
 * Names come from a dozen languages and scripts, most with letters outside
 * ASCII (Zoë Ångström, Łukasz Żółć, Nguyễn Thị Hà, İrem Öztürk, 山田 花子,
 * Γιώργος Παπαδόπουλος, ليلى حداد, 김민준, …), written in each culture's own
 * order; nicknames are the full name, the given name, a given name and
 * initial, a romanised name or a handle. About 82% are APPROVED, 12% PENDING and
 * 6% BLOCKED; about one in six is PRIVATE and a few approved members are MUTED.
 * Emails are ASCII at the reserved example.com / .org / .net domains.
 *
 * They are stored with the core's `importRows` (the path `universal-members
 * import` takes, which keeps given ids, statuses and dates), so each gets its
 * created event like any other new member.
 */

/** How many demo members `serve --demo` adds. */
export const DEMO_SIZE = 200;

/** The seed of every demo member's PRNG: change it and every member changes. */
export const DEMO_SEED = 0x6d656d62;

const DAY = 86_400_000;
const SPAN_DAYS = 730;

// `Display|ascii`, comma separated; a plain ASCII name needs no `|ascii`. A
// family name `Male/Female|male/female` has a form for each.
const CULTURES = [
  {
    weight: 9, order: 'western', phone: '+46',
    given: { f: 'Åsa|Asa, Ingrid, Freja, Sigrid, Linnéa|Linnea, Maja, Astrid, Elin', m: 'Søren|Soren, Björn|Bjorn, Mikkel, Lars, Jörgen|Jorgen, Anders, Nils, Ørjan|Orjan' },
    family: 'Ångström|Angstrom, Lindqvist, Østergaard|Ostergaard, Bergström|Bergstrom, Nyström|Nystrom, Hansen, Dahl, Sjöberg|Sjoberg, Kjær|Kjaer',
    places: [['Stockholm', 'SE', '111 22'], ['Göteborg', 'SE', '411 03'], ['København', 'DK', '1050'], ['Aarhus', 'DK', '8000'], ['Oslo', 'NO', '0150'], ['Malmö', 'SE', '211 20']],
    streets: ['Storgatan #', 'Drottninggatan #', 'Nørregade #', 'Karl Johans gate #', 'Sveavägen #'],
  },
  {
    weight: 8, order: 'western', phone: '+48',
    given: { f: 'Agnieszka, Małgorzata|Malgorzata, Zofia, Joanna, Katarzyna, Weronika, Jadwiga', m: 'Łukasz|Lukasz, Wojciech, Krzysztof, Paweł|Pawel, Grzegorz, Jakub, Michał|Michal' },
    family: 'Nowak, Wójcik|Wojcik, Kaczmarek, Mazur, Żółć|Zolc, Krawczyk, Dudek, Kowalczyk, Wróbel|Wrobel',
    places: [['Kraków', 'PL', '31-042'], ['Warszawa', 'PL', '00-001'], ['Gdańsk', 'PL', '80-831'], ['Wrocław', 'PL', '50-077'], ['Łódź', 'PL', '90-001']],
    streets: ['ul. Floriańska #', 'ul. Długa #', 'ul. Piotrkowska #', 'al. Jerozolimskie #'],
  },
  {
    weight: 9, order: 'vietnamese', phone: '+84',
    given: { f: 'Thị Hà|Thi Ha, Thị Lan|Thi Lan, Ngọc Anh|Ngoc Anh, Minh Châu|Minh Chau, Thu Trang, Thanh Hương|Thanh Huong', m: 'Văn Minh|Van Minh, Đức Anh|Duc Anh, Quốc Bảo|Quoc Bao, Hoàng Long|Hoang Long, Tuấn Kiệt|Tuan Kiet, Văn Hùng|Van Hung' },
    family: 'Nguyễn|Nguyen, Trần|Tran, Lê|Le, Phạm|Pham, Hoàng|Hoang, Võ|Vo, Đặng|Dang, Bùi|Bui',
    places: [['Hà Nội', 'VN', '100000'], ['Thành phố Hồ Chí Minh', 'VN', '700000'], ['Đà Nẵng', 'VN', '550000'], ['Huế', 'VN', '530000']],
    streets: ['# Phố Hàng Bạc', '# Đường Lê Lợi', '# Nguyễn Huệ', '# Trần Phú'],
  },
  {
    weight: 14, order: 'western', phone: '+34',
    given: { f: 'María|Maria, Lucía|Lucia, Sofía|Sofia, Begoña|Begona, Carmen, Valentina, Inés|Ines', m: 'José|Jose, Andrés|Andres, Iñigo|Inigo, Javier, Mateo, Joaquín|Joaquin, Álvaro|Alvaro' },
    family: 'García|Garcia, Martínez|Martinez, Fernández|Fernandez, Muñoz|Munoz, Peña|Pena, López|Lopez, Ibáñez|Ibanez, Castro, Ortega',
    places: [['Madrid', 'ES', '28013'], ['Sevilla', 'ES', '41004'], ['Bilbao', 'ES', '48005'], ['Ciudad de México', 'MX', '06000'], ['Buenos Aires', 'AR', 'C1002'], ['Bogotá', 'CO', '110111']],
    streets: ['Calle Mayor, #', 'Avenida de la Constitución, #', 'Calle de Alcalá, #', 'Paseo de la Reforma #'],
  },
  {
    weight: 9, order: 'family-given', space: true, phone: '+81',
    given: { f: '花子|Hanako, 陽菜|Hina, 結衣|Yui, 美咲|Misaki, さくら|Sakura, 葵|Aoi', m: '翔太|Shota, 蓮|Ren, 大輝|Daiki, 健|Ken, 悠斗|Yuto, 拓海|Takumi' },
    family: '山田|Yamada, 佐藤|Sato, 鈴木|Suzuki, 高橋|Takahashi, 田中|Tanaka, 伊藤|Ito, 渡辺|Watanabe, 中村|Nakamura',
    places: [['東京', 'JP', '100-0005'], ['大阪', 'JP', '530-0001'], ['京都', 'JP', '600-8216'], ['札幌', 'JP', '060-0001'], ['福岡', 'JP', '810-0001']],
    streets: ['丸の内#-#-#', '梅田#-#-#', '中央区#-#'],
  },
  {
    weight: 7, order: 'western', phone: '+30',
    given: { f: 'Ελένη|Eleni, Κατερίνα|Katerina, Σοφία|Sofia, Μαρία|Maria, Δέσποινα|Despoina', m: 'Γιώργος|Giorgos, Δημήτρης|Dimitris, Νίκος|Nikos, Αλέξανδρος|Alexandros, Κώστας|Kostas' },
    family: 'Παπαδόπουλος/Παπαδοπούλου|Papadopoulos/Papadopoulou, Παπαδάκης/Παπαδάκη|Papadakis/Papadaki, Γεωργίου|Georgiou, Οικονόμου|Oikonomou, Νικολάου|Nikolaou, Βλάχος/Βλάχου|Vlachos/Vlachou',
    places: [['Αθήνα', 'GR', '105 57'], ['Θεσσαλονίκη', 'GR', '546 24'], ['Ηράκλειο', 'GR', '712 02'], ['Λευκωσία', 'CY', '1011']],
    streets: ['Οδός Ερμού #', 'Λεωφόρος Αλεξάνδρας #', 'Οδός Τσιμισκή #'],
  },
  {
    weight: 11, order: 'western', phone: '+49',
    given: { f: 'Lena, Anneliese, Käthe|Kathe, Jördis|Jordis, Hanna, Friederike, Mia', m: 'Jürgen|Jurgen, Maximilian, Jörg|Jorg, Lukas, Matthias, Florian, Günther|Gunther' },
    family: 'Müller|Mueller, Schröder|Schroeder, Weiß|Weiss, Groß|Gross, Becker, Fischer, Hoffmann, Köhler|Koehler, Brandt',
    places: [['Berlin', 'DE', '10117'], ['München', 'DE', '80331'], ['Köln', 'DE', '50667'], ['Hamburg', 'DE', '20095'], ['Zürich', 'CH', '8001'], ['Wien', 'AT', '1010']],
    streets: ['Hauptstraße #', 'Schillerstraße #', 'Bahnhofstraße #', 'Maximilianstraße #'],
  },
  {
    weight: 10, order: 'western', phone: '+33',
    given: { f: 'Zoë|Zoe, Chloé|Chloe, Hélène|Helene, Maëlle|Maelle, Anaïs|Anais, Margaux, Léa|Lea', m: 'François|Francois, Théo|Theo, Noël|Noel, Jérôme|Jerome, Étienne|Etienne, Benoît|Benoit, Hugo' },
    family: 'Lefèvre|Lefevre, Dubois, Moreau, Girard, Bonnet, Rousseau, Lévêque|Leveque, Fournier, Mercier',
    places: [['Paris', 'FR', '75004'], ['Lyon', 'FR', '69002'], ['Marseille', 'FR', '13001'], ['Montréal', 'CA', 'H2Y 1C6'], ['Bruxelles', 'BE', '1000']],
    streets: ['# rue de Rivoli', '# boulevard Saint-Michel', '# rue de la République', '# avenue des Champs-Élysées'],
  },
  {
    weight: 16, order: 'western', phone: '+1',
    given: { f: 'Emily, Olivia, Hannah, Grace, Abigail, Chloe, Madison, Aoife', m: 'James, Michael, Daniel, Samuel, Connor, Ethan, Oliver, Seán|Sean' },
    family: "Smith, O'Brien|OBrien, Johnson, Walker, Thompson, Carter, Murphy, Bennett, Hughes",
    places: [['New York', 'US', '10001', 'US-NY'], ['Austin', 'US', '78701', 'US-TX'], ['Portland', 'US', '97204', 'US-OR'], ['London', 'GB', 'EC1A 1BB'], ['Dublin', 'IE', 'D02 X285'], ['Toronto', 'CA', 'M5H 2N2'], ['Sydney', 'AU', '2000']],
    streets: ['# Main Street', '# Maple Avenue', '# High Street', '# Oak Lane', '# King Street West'],
  },
  {
    weight: 6, order: 'western', phone: '+91',
    given: { f: 'Priya, Ananya, Kavya, Meera, Aishwarya', m: 'Arjun, Rohan, Vikram, Aditya, Karthik' },
    family: 'Sharma, Patel, Iyer, Reddy, Gupta, Banerjee, Nair',
    places: [['Bengaluru', 'IN', '560001'], ['Mumbai', 'IN', '400001'], ['Pune', 'IN', '411001'], ['Chennai', 'IN', '600001']],
    streets: ['# MG Road', '# Brigade Road', '# Linking Road', '# FC Road'],
  },
  {
    weight: 5, order: 'western', phone: '+90',
    given: { f: 'İrem|Irem, Çağla|Cagla, Şebnem|Sebnem, Elif, Zeynep, Ayşe|Ayse', m: 'Emre, Gökhan|Gokhan, Ömer|Omer, Barış|Baris, Can, İlker|Ilker' },
    family: 'Yılmaz|Yilmaz, Öztürk|Ozturk, Şahin|Sahin, Çelik|Celik, Aydın|Aydin, Doğan|Dogan',
    places: [['İstanbul', 'TR', '34000'], ['Ankara', 'TR', '06000'], ['İzmir', 'TR', '35000']],
    streets: ['İstiklal Caddesi No: #', 'Bağdat Caddesi No: #', 'Kordon Boyu No: #'],
  },
  {
    weight: 4, order: 'western', phone: '+961',
    given: { f: 'ليلى|Layla, ياسمين|Yasmin, نور|Nour, سلمى|Salma', m: 'عمر|Omar, كريم|Karim, يوسف|Youssef, سامي|Sami' },
    family: 'حداد|Haddad, خوري|Khoury, منصور|Mansour, نصار|Nassar',
    places: [['بيروت', 'LB', '1107'], ['عمّان', 'JO', '11118'], ['دبي', 'AE', '00000']],
    streets: ['شارع الحمرا #', 'شارع الرينبو #'],
  },
  {
    weight: 4, order: 'family-given', space: false, phone: '+82',
    given: { f: '서연|Seoyeon, 하은|Haeun, 지우|Jiwoo, 수아|Sua', m: '민준|Minjun, 도윤|Doyun, 시우|Siwoo, 현우|Hyunwoo' },
    family: '김|Kim, 이|Lee, 박|Park, 최|Choi, 정|Jung',
    places: [['서울', 'KR', '04524'], ['부산', 'KR', '48058']],
    streets: ['세종대로 #', '해운대로 #'],
  },
  {
    weight: 5, order: 'family-given', space: false, phone: '+86',
    given: { f: '芳|Fang, 静|Jing, 晓燕|Xiaoyan, 丽娜|Lina', m: '伟|Wei, 磊|Lei, 晓明|Xiaoming, 浩然|Haoran' },
    family: '王|Wang, 李|Li, 张|Zhang, 陈|Chen, 刘|Liu',
    places: [['上海', 'CN', '200000'], ['北京', 'CN', '100000'], ['深圳', 'CN', '518000'], ['Singapore', 'SG', '049315']],
    streets: ['南京东路#号', '长安街#号'],
  },
].map((culture) => ({
  ...culture,
  given: { f: names(culture.given.f), m: names(culture.given.m) },
  family: names(culture.family),
}));

/** Named people first (index 0, 1, …): the names a page should get right. */
const FEATURED = [
  { culture: 7, given: 'Zoë|Zoe', family: 'Ångström|Angstrom', gender: 'f', nickname: 'full', title: 'Founder', daysAgo: 729 },
  { culture: 1, given: 'Łukasz|Lukasz', family: 'Żółć|Zolc', gender: 'm', nickname: 'full', title: 'Community moderator' },
  { culture: 2, given: 'Thị Hà|Thi Ha', family: 'Nguyễn|Nguyen', gender: 'f', nickname: 'full', title: 'Nhà thiết kế' },
  { culture: 0, given: 'Søren|Soren', family: 'Østergaard|Ostergaard', gender: 'm', nickname: 'given', title: 'Beekeeper' },
  { culture: 3, given: 'José|Jose', family: 'García|Garcia', gender: 'm', nickname: 'full', title: 'Fotógrafo' },
  { culture: 4, given: '花子|Hanako', family: '山田|Yamada', gender: 'f', nickname: 'full', title: '料理人' },
  { culture: 5, given: 'Γιώργος|Giorgos', family: 'Παπαδόπουλος/Παπαδοπούλου|Papadopoulos/Papadopoulou', gender: 'm', nickname: 'full', title: 'Φωτογράφος' },
  { culture: 10, given: 'İrem|Irem', family: 'Öztürk|Ozturk', gender: 'f', nickname: 'full', title: 'Mimar' },
  { culture: 11, given: 'ليلى|Layla', family: 'حداد|Haddad', gender: 'f', nickname: 'full', title: 'Calligrapher' },
  { culture: 7, given: 'François|Francois', family: 'Lefèvre|Lefevre', gender: 'm', nickname: 'initial', title: 'Pâtissier', daysAgo: 1 },
];

const TITLES = [
  'Community manager', 'Product designer', 'Software engineer', 'Pastry chef', 'Photographer', 'Yoga teacher',
  'Volunteer coordinator', 'Board member', 'Marathon runner', 'Bookbinder', 'Illustrator', 'Data scientist',
  'Ceramicist', 'Beekeeper', 'Climbing coach', 'Piano teacher', 'Urban gardener', 'Translator (JA ↔ EN)',
  'Open-source maintainer', 'Architect', 'Nurse', 'Librarian', 'Sommelier', 'Café owner', 'Student',
  'Retired teacher', 'Podcast host', 'Carpenter', 'Tour guide', 'Event organiser', 'Moderator', 'Ingeniera de software',
  'Bäckermeisterin', 'Graphiste', 'Kaffeerösterin', 'Ilustradora', 'Programista', 'Κεραμίστρια', 'デザイナー', 'Doula',
];

const COMPANIES = [
  'Fjordline Design', 'Panadería La Espiga', 'Tanaka & Sons', 'Atelier Lumière', 'Hanoi Code House', 'Olympus Tours',
  'Brightwater Labs', 'Mosaic Cooperative', 'Wawel Coffee Roasters', 'Müller Holzbau', 'Blue Heron Books',
  'Kōbō Ceramics', 'Nordic Bees', 'Café Ümlaut', 'Riverside Clinic', 'Open Commons',
];

const JOB_TITLES = ['Owner', 'Designer', 'Engineer', 'Teacher', 'Consultant', 'Manager', 'Chef', 'Editor', 'Researcher', 'Nurse'];

const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'post.example.org'];

/** `'Zoë|Zoe, Ingrid'` → `[{ display: 'Zoë', ascii: 'Zoe' }, { display: 'Ingrid', ascii: 'Ingrid' }]`. */
function names(list) {
  return list.split(',').map((entry) => {
    const [display, ascii = display] = entry.trim().split('|');
    return { display, ascii };
  });
}

/** A family name's form for `gender` (`Παπαδόπουλος/Παπαδοπούλου`). */
function form(name, gender) {
  const pick = (text) => {
    const [male, female = male] = text.split('/');
    return gender === 'f' ? female : male;
  };
  return { display: pick(name.display), ascii: pick(name.ascii) };
}

/** mulberry32: a small, fast PRNG → floats in [0, 1); its own stream per member. */
function prngFor(index) {
  let state = (DEMO_SEED ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The helpers a member is drawn with. */
function drawer(random) {
  const int = (below) => Math.floor(random() * below);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => random() < p;
  const digits = (n) => Array.from({ length: n }, () => int(10)).join('');
  /** A version-4 UUID from 16 drawn bytes. */
  const uuid = () => {
    const bytes = Array.from({ length: 16 }, () => int(256));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { random, int, pick, chance, digits, uuid };
}

function pickCulture(d) {
  const total = CULTURES.reduce((sum, c) => sum + c.weight, 0);
  let at = d.random() * total;
  for (const culture of CULTURES) {
    at -= culture.weight;
    if (at < 0) return culture;
  }
  return CULTURES.at(-1);
}

/** The name as written in its culture: "Zoë Ångström", "Nguyễn Thị Hà", "山田 花子", "김민준". */
function fullName(culture, given, family) {
  if (culture.order === 'western') return `${given} ${family}`;
  if (culture.order === 'vietnamese' || culture.space) return `${family} ${given}`;
  return `${family}${given}`;
}

const lower = (text) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

function nicknameOf(d, style, culture, given, family) {
  const full = fullName(culture, given.display, family.display);
  // Vietnamese friends use the last word of the given name ("Hà").
  const shortGiven = culture.order === 'vietnamese' ? given.display.split(' ').at(-1) : given.display;
  const g = lower(given.ascii);
  const f = lower(family.ascii);
  switch (style) {
    case 'given': return shortGiven;
    case 'initial': return culture.order === 'western' ? `${given.display} ${[...family.display][0]}.` : full;
    case 'romanised': return `${given.ascii} ${family.ascii}`;
    case 'handle': return d.pick([`${g}_${f[0]}`, `${g}${d.digits(2)}`, `${g}.${f}`, `${f}${g[0]}`, `the.real.${g}`]);
    default: return full;
  }
}

function nicknameStyle(d, culture) {
  const r = d.random();
  if (r < 0.55) return 'full';
  if (r < 0.7) return 'given';
  if (r < 0.8) return culture.order === 'western' ? 'initial' : 'romanised';
  if (r < 0.9) return 'handle';
  return culture.order === 'western' ? 'full' : 'romanised';
}

function emailLocal(d, given, family) {
  const g = lower(given.ascii);
  const f = lower(family.ascii);
  return d.pick([`${g}.${f}`, `${g}.${f}`, `${g}${f}`, `${g[0]}.${f}`, `${g}_${f}`, `${g}.${f}${1960 + d.int(45)}`]);
}

/** `'Storgatan #'` → `'Storgatan 12'`. */
function street(d, culture) {
  return d.pick(culture.streets).replace(/#/g, () => String(1 + d.int(120)));
}

function statusOf(d) {
  const r = d.random();
  if (r < 0.12) return 'PENDING';
  if (r < 0.18) return 'BLOCKED';
  return 'APPROVED';
}

/** Seconds-granular ISO text `ms` milliseconds after the epoch. */
const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

/** Midnight UTC of the day `now` falls in. */
export function startOfUtcDay(now = Date.now()) {
  return Math.floor(now / DAY) * DAY;
}

/**
 * The demo members, in the SDK naming `importRows` takes with `format: 'member'`
 * (`_id`, `contactId`, `status`, `privacyStatus`, `_createdDate`, …).
 * `{ count = DEMO_SIZE, today = startOfUtcDay() }`; the same arguments give the
 * same members.
 */
export function demoMembers({ count = DEMO_SIZE, today = startOfUtcDay() } = {}) {
  const emails = new Set();
  const members = [];
  for (let i = 0; i < count; i++) {
    const d = drawer(prngFor(i));
    const featured = FEATURED[i];
    const culture = featured ? CULTURES[featured.culture] : pickCulture(d);
    const gender = featured?.gender ?? (d.chance(0.5) ? 'f' : 'm');
    const given = featured ? names(featured.given)[0] : d.pick(culture.given[gender]);
    const family = form(featured ? names(featured.family)[0] : d.pick(culture.family), gender);

    const id = d.uuid();
    let contactId = d.uuid();
    while (contactId === id) contactId = d.uuid();

    let local = emailLocal(d, given, family);
    const domain = d.pick(DOMAINS);
    for (let n = 2; emails.has(`${local}@${domain}`); n++) local = `${local.replace(/\d+$/, '')}${n}`;
    const loginEmail = `${local}@${domain}`;
    emails.add(loginEmail);

    const status = featured ? 'APPROVED' : statusOf(d);
    const privacyStatus = !featured && d.chance(0.17) ? 'PRIVATE' : 'PUBLIC';
    const activityStatus = status === 'APPROVED' && !featured && d.chance(0.05) ? 'MUTED' : 'ACTIVE';
    const verified = d.chance({ APPROVED: 0.85, PENDING: 0.3, BLOCKED: 0.6 }[status]);

    // More members lately, as on a site that grows; never closer than an hour.
    const ago = featured?.daysAgo !== undefined
      ? featured.daysAgo * DAY - d.int(DAY / 2)
      : Math.max(3_600_000, (d.random() ** 1.4) * (SPAN_DAYS - 1) * DAY + d.int(DAY));
    const created = today - ago;
    const updated = d.chance(0.5) ? created : created + (today - created) * d.random() ** 2;
    const lastLogin = status === 'APPROVED' && d.chance(0.7) ? created + (today - created) * d.random() : null;

    const contact = { firstName: given.display, lastName: family.display };
    if (d.chance(0.4)) contact.company = d.pick(COMPANIES);
    if (d.chance(0.35)) contact.jobTitle = d.pick(JOB_TITLES);
    if (d.chance(0.3)) contact.birthdate = `${1955 + d.int(50)}-${String(1 + d.int(12)).padStart(2, '0')}-${String(1 + d.int(28)).padStart(2, '0')}`;
    if (d.chance(0.5)) contact.phones = [`${culture.phone} ${d.digits(3)} ${d.digits(3)} ${d.digits(3)}`];
    if (d.chance(0.12)) contact.emails = [`${lower(given.ascii)}@${d.pick(DOMAINS)}`];
    if (d.chance(0.6)) {
      const [city, country, postalCode, subdivision] = d.pick(culture.places);
      const address = { _id: d.uuid(), addressLine: street(d, culture), city, country, postalCode };
      if (subdivision) address.subdivision = subdivision;
      contact.addresses = [address];
    }

    const profile = { nickname: nicknameOf(d, featured?.nickname ?? nicknameStyle(d, culture), culture, given, family) };
    const title = featured?.title ?? (d.chance(0.7) ? d.pick(TITLES) : undefined);
    if (title) profile.title = title;

    const member = {
      _id: id,
      contactId,
      loginEmail,
      loginEmailVerified: verified,
      status,
      privacyStatus,
      activityStatus,
      _createdDate: iso(created),
      _updatedDate: iso(Math.max(created, updated)),
      contact,
      profile,
    };
    if (lastLogin !== null) member.lastLoginDate = iso(lastLogin);
    members.push(member);
  }
  return members;
}

/**
 * Seeds the demo members into the database `admin` (an elevated core) opens,
 * only when it holds no member at all → `{ seeded, existing }`. Says what it did
 * once through `log`.
 */
export async function seedDemo(admin, { log = (line) => process.stderr.write(`${line}\n`), today } = {}) {
  const existing = await admin.queryMembers().count();
  if (existing > 0) {
    log(`universal-members: --demo: the database already has ${existing} member${existing === 1 ? '' : 's'}, so no demo members were added`);
    return { seeded: 0, existing };
  }
  const { results } = await admin.importRows(demoMembers({ today }), { format: 'member', onConflict: 'skip' });
  const seeded = results.filter((r) => r.outcome === 'created').length;
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) log(`universal-members: --demo: ${failed.length} demo member(s) were refused: ${failed[0].error}`);
  log(`universal-members: --demo: added ${seeded} demo members`);
  return { seeded, existing };
}
