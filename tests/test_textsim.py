"""Text similarity for proposals: tokens, BM25 ranking, unit suggestion, evaluation."""

import ast
import math
import pathlib
import stat
import tempfile
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shixiao.textsim import tokenize as tokenize_module
from shixiao.textsim.bm25 import Bm25Index
from shixiao.textsim.evaluate import similarity_precision, unit_precision
from shixiao.textsim.suggest import similar, suggest_units
from shixiao.textsim.tokenize import stopwords, tokenize, user_words

# Ten proposals as a city committee receives them: two pairs on neighbouring subjects
# (lifts vs. property management in old estates; meal service vs. nursing care for the
# elderly) so that a paraphrase has a near miss to beat.
CORPUS = {
    "P01": ("关于加快推进老旧小区加装电梯的建议",
            "我市2000年以前建成的多层住宅大多没有电梯，高楼层老年住户上下楼十分困难。"
            "加装电梯推进缓慢：低楼层住户担心采光、噪音，居民意见难以统一；审批涉及规划、"
            "消防、特种设备多个环节；费用分摊没有标准。建议实行并联审批，由社区组织楼栋"
            "协商，明确低楼层住户补偿办法，提高财政补贴，允许提取住房公积金用于加装电梯。"),
    "P02": ("关于加强老旧小区改造后物业管理的建议",
            "老旧小区改造完成后，多数小区没有物业服务，道路、绿化、管网缺少维护，"
            "出现“一年新、两年旧、三年破”。建议改造同步引入物业服务或居民自治管理，"
            "成立业主委员会，建立专项维修资金，街道社区加强指导监督。"),
    "P03": ("关于破解中心城区停车难的建议",
            "全市机动车保有量快速增长，医院、学校周边和老城区停车位严重不足，"
            "车辆占用人行道和消防通道。建议编制停车设施专项规划，建设立体停车场，"
            "推行差异化收费，机关单位停车场夜间向居民错时开放，建设智慧停车平台。"),
    "P04": ("关于发展社区老年助餐服务的建议",
            "独居、高龄老人做饭难、吃饭难。我市社区老年助餐点数量少，就餐人数不多，"
            "运营亏损，有的已经停办。建议依托社区食堂和餐饮企业设立助餐点，"
            "对高龄、低保老人分档补贴，推行中央厨房集中配送，送餐上门。"),
    "P05": ("关于推进医养结合提升失能老人照护水平的建议",
            "全市失能、半失能老人照护需求大，养老机构缺少医生护士，与医院签约后"
            "巡诊不到位，护理费用主要由家庭承担。建议支持养老机构内设医务室，"
            "深化医疗机构与养老机构签约合作，开展长期护理保险试点，增加护理型床位。"),
    "P06": ("关于加强校园食品安全监管的建议",
            "部分学校委托校外企业供餐，配送过程温度控制和留样不规范，"
            "学校食堂原料采购和餐具消毒存在隐患。建议严格供餐企业准入，"
            "推行明厨亮灶，落实学校负责人陪餐制度，成立家长膳食委员会。"),
    "P07": ("关于系统治理城区黑臭水体的建议",
            "城区部分河道汛期返黑返臭，雨污管网混接，生活污水直排入河。"
            "建议开展入河排口排查，实施雨污分流改造，建立截污设施长效运维机制，"
            "实施生态补水，压实河长责任。"),
    "P08": ("关于促进高校毕业生留市就业的建议",
            "本地生源高校毕业生返乡就业比例低，岗位薪酬偏低，见习岗位与专业脱节。"
            "建议发布紧缺人才目录，组织企业进校招聘，提高就业见习补贴，"
            "为青年人才提供人才公寓和租房补贴。"),
    "P09": ("关于优化营商环境深化一网通办改革的建议",
            "企业办事仍需多头跑、重复提交材料，涉企检查多头重复，惠企政策不知晓。"
            "建议打通部门业务系统，推行电子证照共享，实行综合查一次，"
            "建设惠企政策平台，推行免申即享。"),
    "P10": ("关于加强电动自行车充电消防安全管理的建议",
            "电动自行车进楼入户充电、飞线充电现象普遍，近年来引发多起火灾。"
            "住宅小区集中充电设施不足。建议在小区建设集中停放充电设施，"
            "电梯安装阻车装置，查处非标电池和违规改装，加强消防安全宣传。"),
}
UNITS_OF = {
    "P01": ["市住房和城乡建设局", "市市场监督管理局"], "P02": ["市住房和城乡建设局"],
    "P03": ["市城市管理局", "市公安局"], "P04": ["市民政局"],
    "P05": ["市卫生健康委员会", "市民政局"], "P06": ["市市场监督管理局", "市教育局"],
    "P07": ["市生态环境局", "市水务局"], "P08": ["市人力资源和社会保障局"],
    "P09": ["市发展和改革委员会", "市数据局"], "P10": ["市应急管理局"],
}


@pytest.fixture(scope="module")
def index():
    return Bm25Index.from_documents(CORPUS.items())


# -- tokens -----------------------------------------------------------------------------

def test_cppcc_terms_stay_whole():
    tokens = tokenize("政协提案委员会把社情民意信息交承办单位办理，推动老旧小区改造，"
                      "优化营商环境，推进医养结合。")
    for term in ("政协", "提案委员会", "社情民意", "承办单位", "老旧小区", "营商环境",
                 "医养结合"):
        assert term in tokens


def test_user_dictionary_words_are_never_stopwords():
    assert not set(user_words()) & stopwords()


def test_punctuation_numbers_and_whitespace_are_dropped():
    tokens = tokenize("截至2024年底，全市共有 3.5 万户（占比38.6%）！\n“加装电梯”；２０２４")
    assert tokens
    for token in tokens:
        assert any(ch.isalpha() for ch in token), token
        assert not token.isspace()
    assert "电梯" in tokens


def test_proposal_boilerplate_and_function_words_are_dropped():
    tokens = tokenize("关于进一步加强老旧小区管理的建议：提案认为存在的问题是物业缺位。")
    for word in ("关于", "进一步", "加强", "的", "建议", "提案", "问题", "是"):
        assert word not in tokens
    assert "老旧小区" in tokens and "物业" in tokens


def test_full_width_and_ascii_case_are_folded():
    assert tokenize("ＡＰＰ") == tokenize("app") == ["app"]


@pytest.mark.parametrize("text", ["", "   \n\t", "，。！？；：“”", "2024 38.6%", "关于的建议"])
def test_text_without_content_has_no_tokens(text):
    assert tokenize(text) == []


def test_tokenizer_is_built_once_under_concurrent_first_use(monkeypatch, capfd):
    built = []
    real_build = tokenize_module._build

    def counting_build():
        built.append(1)
        return real_build()

    monkeypatch.setattr(tokenize_module, "_tokenizer", None)
    monkeypatch.setattr(tokenize_module, "_build", counting_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(tokenize("老旧小区加装电梯")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert results == [["老旧小区", "加装", "电梯"]] * 8
    assert "prefix dict" not in capfd.readouterr().err  # jieba kept quiet


def fresh_tokenizer(monkeypatch, tmp_path, *, cache_dir, temp="tmp"):
    """Point the temporary directory at `tmp_path/temp` and make the next tokenize() build
    a new tokenizer with `cache_dir`; the shared one is restored afterwards."""
    temp_dir = tmp_path / temp
    monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))
    monkeypatch.setattr(tokenize_module, "_tokenizer", None)
    monkeypatch.setattr(tokenize_module, "_cache_dir", None)
    tokenize_module.configure(cache_dir=cache_dir)
    return temp_dir


def test_tokenising_writes_nothing_to_the_shared_temp_dir(monkeypatch, tmp_path):
    temp_dir = fresh_tokenizer(monkeypatch, tmp_path, cache_dir=None)
    temp_dir.mkdir()
    assert tokenize("老旧小区加装电梯") == ["老旧小区", "加装", "电梯"]
    assert list(temp_dir.iterdir()) == []


def test_tokenising_works_when_the_temp_dir_cannot_be_written(monkeypatch, tmp_path, capfd):
    # A directory that does not exist cannot be written, even by root (PrivateTmp gone,
    # read-only /tmp).
    temp_dir = fresh_tokenizer(monkeypatch, tmp_path, cache_dir=tmp_path / "var/cache/jieba",
                               temp="missing")
    tokens = tokenize("老旧小区加装电梯")
    monkeypatch.undo()  # before pytest's own teardown needs a temporary directory again
    assert tokens == ["老旧小区", "加装", "电梯"]
    assert not temp_dir.exists()
    assert "Traceback" not in capfd.readouterr().err


def test_the_dictionary_cache_is_kept_owner_only_in_the_configured_dir(monkeypatch, tmp_path):
    cache_dir = tmp_path / "var" / "cache" / "jieba"
    temp_dir = fresh_tokenizer(monkeypatch, tmp_path, cache_dir=cache_dir)
    temp_dir.mkdir()
    assert tokenize("老旧小区加装电梯") == ["老旧小区", "加装", "电梯"]
    (cache_file,) = cache_dir.iterdir()
    assert cache_file.name.startswith("jieba-") and cache_file.suffix == ".cache"
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache_file.stat().st_mode) & 0o077 == 0
    assert list(temp_dir.iterdir()) == []
    # The next process loads the cache and tokenises the same.
    monkeypatch.setattr(tokenize_module, "_tokenizer", None)
    assert tokenize("老旧小区加装电梯") == ["老旧小区", "加装", "电梯"]


def test_a_cache_dir_others_can_write_to_is_made_private(monkeypatch, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o777)
    cache_dir.chmod(0o777)
    fresh_tokenizer(monkeypatch, tmp_path, cache_dir=cache_dir)
    tokenize("加装电梯")
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


def test_an_unusable_cache_dir_means_no_cache_not_a_crash(monkeypatch, tmp_path):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the directory should be")
    temp_dir = fresh_tokenizer(monkeypatch, tmp_path, cache_dir=blocker / "cache")
    temp_dir.mkdir()
    assert tokenize("加装电梯") == ["加装", "电梯"]
    assert list(temp_dir.iterdir()) == []


# -- ranking ----------------------------------------------------------------------------

def test_a_documents_own_text_ranks_it_first(index):
    for doc_id, (title, body) in CORPUS.items():
        assert similar(index, body, 1, title=title)[0][0] == doc_id


def test_a_paraphrase_finds_its_original_first(index):
    lifts = ("我市上世纪建成的老楼普遍没有电梯，住在高层的老人出门难。目前装梯进展慢，"
             "一楼二楼住户顾虑采光和噪声，邻里协商达不成一致，手续繁琐，"
             "费用如何分摊缺少依据。希望简化审批，社区牵头组织协商并明确补偿，"
             "加大补贴力度，允许使用公积金。")
    meals = ("不少高龄、独居老人一日三餐没有着落。现有社区老年食堂少，来吃饭的人不多，"
             "亏本经营难以为继。可以利用社区食堂、餐饮企业开设助餐点，"
             "对低保和高龄老人给予补贴，集中配送并送餐上门。")
    assert similar(index, lifts, 3, title="让老楼住户上下楼不再难")[0][0] == "P01"
    assert similar(index, meals, 3, title="办好社区老年食堂")[0][0] == "P04"


def test_equal_scores_are_ordered_by_document_id():
    index = Bm25Index()
    for doc_id in ("c", "a", "b"):
        index.add_tokens(doc_id, ["电梯", "加装"])
    hits = index.query_tokens(["电梯"], k=3)
    assert [d for d, _ in hits] == ["a", "b", "c"]
    assert hits[0][1] == hits[1][1] == hits[2][1]


def test_excluded_documents_never_appear(index):
    title, body = CORPUS["P01"]
    hits = similar(index, body, 10, exclude={"P01", "P02", "missing"}, title=title)
    assert hits and not {"P01", "P02"} & {d for d, _ in hits}


@pytest.mark.parametrize("text", ["", "   ", "。，！", "关于进一步加强的建议", "量子色动力学"])
def test_queries_without_known_content_return_nothing(index, text):
    assert index.query(text) == []


def test_k_limits_the_results(index):
    title, body = CORPUS["P03"]
    assert len(index.query(body, k=2, title=title)) == 2
    assert index.query(body, k=0) == []


def test_an_empty_index_answers_nothing():
    assert Bm25Index().query("老旧小区") == []


def test_a_document_id_can_only_be_added_once():
    index = Bm25Index()
    index.add("P1", "老旧小区")
    with pytest.raises(ValueError, match="already indexed"):
        index.add("P1", "加装电梯")


def test_scores_follow_the_bm25_formula():
    index = Bm25Index(k1=1.2, b=0.75, title_weight=1)
    index.add_tokens("a", ["电梯", "电梯", "小区"])
    index.add_tokens("b", ["停车", "小区"])
    index.add_tokens("c", ["停车"])
    n, avgdl = 3, 6 / 3

    def term(tf, df, dl):
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))

    hits = dict(index.query_tokens(["电梯", "小区"], k=3))
    assert hits["a"] == pytest.approx(term(2, 1, 3) + term(1, 2, 3))
    assert hits["b"] == pytest.approx(term(1, 2, 2))
    assert "c" not in hits


def test_title_tokens_count_more_than_body_tokens():
    index = Bm25Index(title_weight=2)
    index.add_tokens("in_title", ["养老"], title_tokens=["电梯"])
    index.add_tokens("in_body", ["养老", "电梯"])
    index.add_tokens("other", ["停车"])
    assert index.query_tokens(["电梯"], k=2)[0][0] == "in_title"


def test_from_documents_takes_plain_text_or_title_and_body():
    index = Bm25Index.from_documents([("x", "老旧小区加装电梯"),
                                      ("y", ("缓解停车难", "中心城区停车位不足"))])
    assert len(index) == 2 and "y" in index and "z" not in index
    assert [d for d, _ in index.query("停车难")] == ["y"]


def test_query_and_query_tokens_agree(index):
    title, body = CORPUS["P07"]
    assert index.query(body, 5, title=title) == index.query_tokens(
        tokenize(body), 5, title_tokens=tokenize(title))


VOCAB = ["电梯", "小区", "停车", "养老", "食堂", "河道", "就业", "企业", "火灾", "学校"]
token_lists = st.lists(st.sampled_from(VOCAB), max_size=12)


@settings(max_examples=200, deadline=None)
@given(docs=st.lists(token_lists, min_size=1, max_size=15), query=token_lists,
       k=st.integers(0, 20), exclude=st.sets(st.integers(0, 20), max_size=5))
def test_scores_are_positive_sorted_and_deterministic(docs, query, k, exclude):
    index = Bm25Index()
    for i, tokens in enumerate(docs):
        index.add_tokens(i, tokens)
    hits = index.query_tokens(query, k, exclude)
    assert len(hits) <= k
    assert all(score > 0 for _, score in hits)
    assert hits == sorted(hits, key=lambda h: (-h[1], h[0]))
    assert not exclude & {d for d, _ in hits}
    assert all(set(docs[d]) & set(query) for d, _ in hits)
    assert index.query_tokens(query, k, exclude) == hits


# -- unit suggestion --------------------------------------------------------------------

def test_units_are_voted_by_the_nearest_neighbours():
    index = Bm25Index()
    index.add_tokens("near1", ["电梯", "小区", "加装"])
    index.add_tokens("near2", ["电梯", "小区"])
    index.add_tokens("far", ["电梯", "火灾", "充电", "楼道"])
    units = {"near1": ["市住房和城乡建设局", "市市场监督管理局"],
             "near2": ["市住房和城乡建设局"], "far": ["市应急管理局"]}
    hits = dict(index.query_tokens(["电梯", "小区", "加装"], 3))
    total = sum(hits.values())
    ranked = suggest_units(index, "加装电梯 小区", units, neighbours=3)
    assert [u for u, _ in ranked] == ["市住房和城乡建设局", "市市场监督管理局", "市应急管理局"]
    assert ranked[0][1] == pytest.approx((hits["near1"] + hits["near2"]) / total)
    assert ranked[1][1] == pytest.approx(hits["near1"] / total)
    # A tie goes by name (code point order: 住 U+4F4F before 市 U+5E02).
    assert suggest_units(index, "加装电梯 小区", units, neighbours=1) == [
        ("市住房和城乡建设局", 1.0), ("市市场监督管理局", 1.0)]


def test_neighbours_without_units_do_not_vote(index):
    units = {doc_id: us for doc_id, us in UNITS_OF.items() if doc_id != "P01"}
    title, body = CORPUS["P01"]
    ranked = suggest_units(index, body, units, neighbours=1, title=title)
    assert ranked and ranked[0][1] == 1.0
    assert ranked[0][0] in UNITS_OF[index.query(body, 2, title=title)[1][0]]


def test_a_proposal_gets_the_units_of_its_paraphrase(index):
    ranked = suggest_units(index, "社区老年食堂少，独居老人吃饭难，建议设立助餐点并送餐上门",
                           UNITS_OF, neighbours=2)
    assert ranked[0][0] == "市民政局"


def test_no_neighbours_means_no_suggestion(index):
    assert suggest_units(index, "", UNITS_OF) == []
    assert suggest_units(index, "停车", {}, neighbours=3) == []
    assert suggest_units(index, "停车", UNITS_OF, neighbours=0) == []


# -- evaluation -------------------------------------------------------------------------
# With whitespace tokens and equal idf everywhere, the rankings below can be read off by
# counting shared words (more shared words win; equal counts go to the shorter document,
# then to the smaller id).
TINY = {"a1": "苹果 香蕉", "a2": "苹果 香蕉", "a3": "汽车 火车 苹果",
        "b1": "汽车 火车", "b2": "汽车 火车", "c1": "钢琴"}
TINY_CLUSTER = {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b", "c1": "c"}
TINY_UNITS = {"a1": ["U1"], "a2": ["U1"], "a3": ["U1"], "b1": ["U2"], "b2": ["U2", "U3"],
              "c1": []}


def test_similarity_precision_on_a_hand_checked_corpus():
    # a1↔a2 and b1↔b2 find each other first; a3 shares two words with b1/b2 and one with
    # a1/a2, so its first hit is wrong and its third is right; c1 is alone in its cluster.
    result = similarity_precision(TINY, TINY_CLUSTER, analyzer=str.split)
    assert result == {"top1": 4 / 5, "top3": 5 / 5, "n": 5}


def test_unit_precision_on_a_hand_checked_corpus():
    # Two neighbours each: a1, a2 → U1 ✓; a3 → b1, b2 → U2, U3 ✗; b1 → b2, a3 → U2 and U3
    # tie, U2 first by name ✓; b2 → b1, a3 → U2 ✓; c1 has no units and does not count.
    result = unit_precision(TINY, TINY_UNITS, neighbours=2, analyzer=str.split)
    assert result == {"top1": 4 / 5, "top3": 4 / 5, "n": 5}


def test_evaluation_on_the_hand_written_corpus():
    assert similarity_precision(CORPUS, {d: d for d in CORPUS})["n"] == 0  # all singletons
    result = unit_precision(CORPUS, UNITS_OF, neighbours=3)
    assert result["n"] == 10 and 0 <= result["top1"] <= result["top3"] <= 1


def test_textsim_has_no_django_imports():
    package = pathlib.Path(tokenize_module.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), path
