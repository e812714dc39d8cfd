"""Passphrase strength by how guessable it is (zxcvbn), not by length rules.

zxcvbn estimates the guesses an attacker needs, knowing common passwords, words, keyboard patterns, dates and
repeats. On top of that it is told the words of this worker's context, as "user inputs": the worker ID, Hainan
places and everyday words of the job, and the passphrase's own parts that read as a Chinese name (a run of
pinyin syllables, or a short run of Chinese characters) or as a mobile or identity number. So
``wangxiuying1948``, ``海口123456`` or ``w-test2026`` are refused, while a few unrelated words pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from zxcvbn import zxcvbn

#: Minimum zxcvbn score (0..4) for a new vault passphrase: 3 is "safely unguessable" for a slow hash (the vault
#: key is derived with Argon2id), which rules out every common password with a digit or two added.
MIN_SCORE = 3

#: zxcvbn looks at this many characters; a longer passphrase is not weaker for its tail.
_MAX_LOOKED_AT = 100

#: Words of the worker's context (pinyin and English): places of Hainan, the card, everyday passwords.
CONTEXT_WORDS = (
    "hainan", "haikou", "sanya", "danzhou", "sansha", "qionghai", "wenchang", "wanning", "dongfang", "wuzhishan",
    "dingan", "tunchang", "chengmai", "lingao", "baisha", "changjiang", "ledong", "lingshui", "baoting",
    "qiongzhong", "yangpu", "longhua", "meilan", "xiuying", "qiongshan", "shebao", "shebaoka", "yikatong",
    "shehuibaozhang", "renshe", "yinhang", "mima", "kouling", "woaini", "nihao", "zhongguo", "china", "beijing",
    "shanghai", "guangzhou", "shenzhen", "outreach", "worker", "admin", "hainan2026", "qwerty", "asdfgh",
)

#: Pinyin syllables without tones (from pypinyin's dictionary); a run of 1 to 4 reads as a name.
_SYLLABLE_TEXT = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai
    can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
    chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di
    dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng
    fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha
    hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao
    jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan
    kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo
    long lou lu luan lue lun luo ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo
    mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan
    nue nun nuo o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian
    qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan
    rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou
    shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te
    tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu
    xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong
    you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng
    zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_SYLLABLE_TEXT.split())

_ALPHA = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_DIGITS = re.compile(r"\d{6,}")
_SEPARATORS = re.compile(r"[\s._\-+/\\,;:|~*#@!]+")


@lru_cache(maxsize=512)
def _syllable_count(word: str) -> int | None:
    """How many pinyin syllables ``word`` splits into (fewest), or None when it is not all pinyin."""
    if not word:
        return 0
    best: int | None = None
    for end in range(min(6, len(word)), 0, -1):
        if word[:end] in SYLLABLES:
            rest = _syllable_count(word[end:])
            if rest is not None and (best is None or rest + 1 < best):
                best = rest + 1
    return best


def context_words(passphrase: str, extra: Iterable[str] = ()) -> list[str]:
    """The user inputs zxcvbn gets: the context words, ``extra`` (the worker ID and its parts), and the parts
    of the passphrase that read as a Chinese name in pinyin or characters, or as a long number."""
    words = list(CONTEXT_WORDS)
    for item in extra:
        item = item.strip().lower()
        if item:
            words.append(item)
            words += [p for p in re.split(r"[^a-z0-9]+", item) if len(p) >= 2]
    text = passphrase.lower()
    for run in _ALPHA.findall(text):
        count = _syllable_count(run)
        if count is not None and 1 <= count <= 4:  # a pinyin name (surname and given name) or a short word
            words.append(run)
    for run in _CJK.findall(passphrase):
        if len(run) <= 4:
            words.append(run)
        else:
            words += [run[i:i + 3] for i in range(len(run) - 2)]  # names inside a longer run
    words += _DIGITS.findall(text)  # a mobile, an identity or a card number
    return words


def score(passphrase: str, extra: Iterable[str] = ()) -> int:
    """0 (guessed at once) .. 4 (very unguessable), with the worker's context taken into account."""
    if not passphrase:
        return 0
    looked_at = passphrase[:_MAX_LOOKED_AT]
    # zxcvbn undercounts words glued by a separator (``Chen.Yulan-1942``): judge the joined form too
    joined = _SEPARATORS.sub("", looked_at)
    words = context_words(f"{looked_at} {joined}", extra)
    forms = {looked_at, joined} if joined else {looked_at}
    return min(int(zxcvbn(form, user_inputs=words)["score"]) for form in forms)
