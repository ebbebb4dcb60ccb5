"""Guess a speaker's gender (and a host/guest hint) from how the transcript names them.

Conservative on purpose: a wrong guess gives a speaker a voice of the wrong gender, no guess lets casting
alternate genders. English first names that are common for both genders (Alex, Jordan, Taylor …) are in
neither list; for Chinese names only given-name characters that are clearly gendered count, and a name
with characters pointing both ways is unknown. Honorifics (Mr/Ms, 先生/女士) decide when present.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.lang import HAN

_FEMALE_EN = """
abigail ada adele adeline adriana agnes aileen alexandra alexis alice alicia alina alison allison alyssa
amanda amber amelia amy ana anastasia andrea angela angelina anita ann anna anne annette annie antonia april
ariana arianna audrey aurora ava barbara beatrice becky belinda bella bernadette beth bethany betty beverly
bianca bonnie brenda brianna bridget brittany brooke camila camille candace cara carla carmen carol caroline
carolyn carrie cassandra catherine cathy cecilia celia charlotte chelsea cheryl chloe christina christine
cindy claire clara claudia colleen connie constance cora courtney crystal cynthia daisy daniela danielle daphne
deborah debra delia denise diana diane dolores donna dora doris dorothy edith eileen elaine eleanor elena
elisa elizabeth ella ellen eloise elsa emilia emily emma erica erika esther eva evelyn faith felicity fiona
florence frances francesca gabriela gabriella gabrielle gemma georgia geraldine gillian gina ginny gloria
grace greta gwen gwendolyn hailey hannah harriet hazel heather heidi helen helena hilary holly ida ingrid
irene iris isabel isabella isabelle ivy jacqueline jane janet janice jasmine jean jeanne jennifer jenny
jessica jill joan joanna joanne jocelyn josephine joy joyce judith judy julia julie juliet june karen
karina kate katherine kathleen kathryn kathy katie katrina kayla kelly kimberly kristen kristin laura lauren
leah lena leslie lillian lily linda lisa lois loretta lori louise lucia lucy lydia lynn mackenzie madeline
madison maggie mandy marcia margaret margarita maria mariah marian marie marilyn marina marion marissa marjorie
martha mary maureen maya megan melanie melissa mia michelle mildred miranda molly monica nadia nancy naomi
natalia natalie natasha nicole nina nora norma olga olivia paige pamela patricia paula pauline peggy penelope
penny phoebe phyllis priscilla rachel rebecca regina renee rita roberta rosa rosalind rose rosemary ruth
sabrina sally samantha sandra sara sarah savannah scarlett serena sharon sheila shirley sofia sonia sophia
sophie stacy stella stephanie susan suzanne sylvia tamara tanya teresa theresa tiffany tina tracy ursula
valerie vanessa vera veronica victoria violet virginia vivian wanda wendy whitney yasmeen yasmin yolanda
yvonne zoe zoey
"""

_MALE_EN = """
aaron abraham adam adrian alan albert alberto alejandro alexander alfred alvin andre andreas andrew angelo
anthony antonio arnold arthur austin barry ben benjamin bernard bill billy bob bobby brad bradley brandon
brendan brent brett brian bruce bryan byron calvin carl carlos cedric chad charles charlie chester christian
christopher clarence clark clifford clinton colin conor craig curtis dale damian damon dan daniel danny darren
dave david dean dennis derek desmond diego dominic don donald doug douglas duncan dustin dwight eddie edgar
edmund eduardo edward edwin eli elijah elliot emmanuel eric erik ernest ethan eugene evan felix fernando
francis francisco frank franklin fred frederick gabriel gareth gary gavin geoffrey george gerald gilbert glen
glenn gordon graham grant greg gregory gustavo guy hajime hank harold harry harvey hector henry herbert hiroshi
howard hugh hugo ian isaac ivan jack jacob jake james jared jason jeff jeffrey jeremy jerome jerry jesse jim
jimmy joe joel john johnny jon jonathan jorge jose joseph joshua juan julian julio justin karl keith ken
kenji kenneth kevin kirk kurt kyle lance larry lawrence leo leon leonard leroy lewis liam lloyd louis lucas
luis luke malcolm manuel marcus mario mark marshall martin marvin mason matt matthew maurice max maxwell
michael miguel mike miles mitchell mohammed muhammad nathan nathaniel neil nelson nicholas nick noah norman
oliver omar oscar owen pablo patrick paul pedro perry peter philip phillip rafael ralph ramon randall randy
raul ray raymond reginald ricardo richard rick rob robert roberto rodney roger roland ron ronald ross roy
russell ryan salvador samuel scott sean sebastian sergio seth shane shawn sidney simon stanley stefan stephen
steve steven stuart ted terry theodore thomas tim timothy todd tom tommy tony travis trevor troy tyler victor
vincent wade walter warren wayne wesley william willie xavier zachary
"""

FEMALE_EN = frozenset(_FEMALE_EN.split())
MALE_EN = frozenset(_MALE_EN.split())

#: Chinese transliterations of Western given names (Traditional and Simplified forms).
_TRANSLIT = {
    "female": "瑪麗 玛丽 珍妮 珍妮佛 詹妮弗 莎拉 薩拉 萨拉 艾蜜莉 艾米莉 愛蜜莉 安娜 伊莉莎白 伊丽莎白 凱特 凯特 蘇珊 苏珊 "
              "琳達 琳达 海倫 海伦 凱瑟琳 凯瑟琳 艾瑪 艾玛 奧黛麗 奥黛丽 茱莉亞 朱莉娅 蜜雪兒 米歇尔 安妮 露西 "
              "克萊兒 克莱尔 潔西卡 杰西卡 蕾貝卡 丽贝卡 維多利亞 维多利亚 瑪格麗特 玛格丽特 雅絲敏 亞斯敏",
    "male": "凱文 凯文 勞勃 勞伯 羅伯特 罗伯特 羅伯 罗伯 麥可 麦可 邁克 迈克 麥克 迈克尔 約翰 约翰 大衛 大卫 彼得 "
            "詹姆斯 湯姆 汤姆 傑克 杰克 比爾 比尔 史蒂夫 馬克 马克 保羅 保罗 理查 理察 查理 喬治 乔治 "
            "威廉 亨利 湯瑪斯 托马斯 安德魯 安德鲁 丹尼爾 丹尼尔 馬修 马修 山姆 薩姆 萨姆 傑夫 杰夫 "
            "布萊恩 布莱恩 史蒂芬 斯蒂芬 艾倫 艾伦 伊隆 埃隆",
}
TRANSLIT = {name: gender for gender, names in _TRANSLIT.items() for name in names.split()}

#: Given-name characters that are (almost) only used for one gender.
FEMALE_HAN = frozenset("婷娟嬌娇媛娜妮姍姗娥婉嫻娴妍媚嬋婵姝婕嫣瑩莹莉萍芳芬蓉蘭兰燕鳳凤霞麗丽淑秀玲珍琳瑤瑶"
                       "雯倩薇菲嬿姣娃妹蕙蕾黛翠瓊琼嫦嫚姿娉婧媄妤姮娣娉")
MALE_HAN = frozenset("雄剛刚強强偉伟軍军輝辉龍龙虎豪彪勇毅峰鋒锋斌傑杰濤涛鵬鹏威武棟栋柱勳勋昊浩誠诚"
                     "鑫磊壯壮猛霆鏗铿")

_COMPOUND_SURNAMES = ("歐陽", "欧阳", "司馬", "司马", "諸葛", "诸葛", "上官", "司徒", "東方", "东方", "皇甫", "令狐",
                      "公孫", "公孙", "夏侯", "尉遲", "尉迟", "長孫", "长孙", "慕容", "宇文", "澹臺", "澹台")
_HONORIFIC_EN = re.compile(r"^(mr|mrs|ms|miss|sir|lady|madam|dame|lord)\.?\s+", re.IGNORECASE)
_HONORIFIC_GENDER = {"mr": "male", "sir": "male", "lord": "male", "mrs": "female", "ms": "female",
                     "miss": "female", "lady": "female", "madam": "female", "dame": "female"}
_HONORIFIC_ZH = (("先生", "male"), ("女士", "female"), ("小姐", "female"), ("太太", "female"))
_HOST_WORDS = {"主持人", "主持", "主播", "主持人甲", "host", "hosts", "interviewer", "moderator", "anchor", "記者",
               "记者", "採訪者", "采访者", "q"}
_GUEST_WORDS = {"來賓", "来宾", "嘉賓", "嘉宾", "受訪者", "受访者", "guest", "interviewee"}  # not "A": A/B dialogues
_HAN = re.compile(f"^[{HAN}]+$")
_SEPARATORS = re.compile(r"[·・•‧．.\s]+")


def guess_gender(*names: str) -> str | None:
    """``female``/``male`` when the names point one way (the first that decides wins), else None."""
    for name in names:
        gender = _one(name)
        if gender:
            return gender
    return None


def role_hint(*names: str) -> str | None:
    """``host`` when a label says so (主持人, Host, Interviewer …), ``guest`` for 來賓/Guest, else None."""
    for name in names:
        key = unicodedata.normalize("NFKC", name).strip().strip(":：").casefold()
        if key in _HOST_WORDS:
            return "host"
        if key in _GUEST_WORDS:
            return "guest"
    return None


def _one(name: str) -> str | None:
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        return None
    # "勞勃·西原(Robert Nishihara)": try the part outside and inside the brackets.
    inner = re.findall(r"[(\[]([^()\[\]]+)[)\]]", name)
    outer = re.sub(r"[(\[][^()\[\]]*[)\]]", " ", name).strip()
    for part in ([outer] if outer else []) + inner:
        gender = _latin(part) or _chinese(part)
        if gender:
            return gender
    return None


def _latin(name: str) -> str | None:
    m = _HONORIFIC_EN.match(name)
    if m:
        return _HONORIFIC_GENDER[m.group(1).casefold()]
    first = _SEPARATORS.split(name.strip())[0].casefold() if name.strip() else ""
    if first in FEMALE_EN:
        return "female"
    if first in MALE_EN:
        return "male"
    return None


def _chinese(name: str) -> str | None:
    name = name.strip()
    for suffix, gender in _HONORIFIC_ZH:
        if name.endswith(suffix) and len(name) > len(suffix):
            return gender
    parts = [p for p in _SEPARATORS.split(name) if p]
    if not parts:
        return None
    if parts[0] in TRANSLIT:  # 凱文·威爾: a Western given name comes first
        return TRANSLIT[parts[0]]
    if len(parts) > 1 or not _HAN.match(parts[0]) or not 2 <= len(parts[0]) <= 4:
        return None
    given = parts[0][2:] if parts[0].startswith(_COMPOUND_SURNAMES) else parts[0][1:]
    female = any(c in FEMALE_HAN for c in given)
    male = any(c in MALE_HAN for c in given)
    if female != male:
        return "female" if female else "male"
    return None
