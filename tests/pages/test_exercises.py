"""AppTest: practice exercises, a teacher's set with its score, and the teacher page."""

from convlab.classroom.exercises import format_answer, make_exercise, make_set

from apptest_kit import open_page, shown

PAGE = "pages/classroom/exercises.py"
TEACHER = "pages/classroom/teacher.py"


def _answer(at, key, ex, right=True):
    for i, part in enumerate(ex.parts):
        text = format_answer(part)
        if not right:                                             # the last number one too big
            head, _, last = text.rpartition(" ") if " " in text else ("", "", text)
            text = f"{head} {float(last.strip(',;')) + 1:g}".strip()
        at.text_input(key=f"{key}_a{i}").input(text)
    at.button(key=f"FormSubmitter:{key}_form-Check").click().run()


def test_practice_right_wrong_unreadable_tries_solution_and_new_question():
    at = open_page(PAGE, kind="tf_same", level="3", seed="7")
    ex = make_exercise("tf_same", 7, 3)
    key = "practice-tf_same-3-7"
    assert ex.question in shown(at) and "can be opened after 2 tries (2 to go)" in shown(at)
    at.text_input(key=f"{key}_a0").input("three")
    at.button(key=f"FormSubmitter:{key}_form-Check").click().run()
    assert "no number found" in shown(at) and "(2 to go)" in shown(at)                 # unreadable: not a try
    _answer(at, key, ex, right=False)
    assert "Not quite" in shown(at) and "(1 to go)" in shown(at)
    assert ex.solution[-1] not in shown(at)                      # one wrong answer does not give the solution away
    _answer(at, key, ex, right=False)                            # the same answer again: not another try
    assert "does not use up another try" in shown(at) and "(1 to go)" in shown(at)
    at.text_input(key=f"{key}_a0").input("0")
    at.button(key=f"FormSubmitter:{key}_form-Check").click().run()
    assert "Worked solution" not in [e.label for e in at.expander]
    at.button(key=f"{key}_open").click().run()                   # two tries: the solution may be opened
    assert ex.solution[-1] in shown(at) and "Worked solution" in [e.label for e in at.expander]
    _answer(at, key, ex)
    assert "Right, but after opening the solution: no credit" in shown(at)
    at.button[0].click().run()                                    # New question
    assert at.session_state["ex_seed"] == 8 and at.query_params["seed"] == "8"
    assert make_exercise("tf_same", 8, 3).question in shown(at) and "(2 to go)" in shown(at)


def test_right_first_then_the_solution_is_free_and_tries_come_from_the_link():
    at = open_page(PAGE, kind="pooling", seed="2", tries="1")
    ex = make_exercise("pooling", 2, 1)
    key = "practice-pooling-1-2"
    assert "can be opened after 1 tries (1 to go)" in shown(at)
    _answer(at, key, ex)
    assert "Right!" in shown(at) and "Worked solution" in [e.label for e in at.expander]
    assert not [b for b in at.button if b.key == f"{key}_open"]          # nothing to open: it is shown already


def test_a_teachers_set_scores_and_lists_the_wrong_ones():
    at = open_page(PAGE, kinds="params,pooling", count="3", level="2", seed="11")
    exercises = make_set(["params", "pooling"], 3, 2, 11)
    assert "Your teacher's set: 3 questions, level 2" in shown(at) and "Score: 0 of 3" in shown(at)
    set_id = "set-params,pooling-3-2-11"
    _answer(at, f"{set_id}-0", exercises[0])
    _answer(at, f"{set_id}-1", exercises[1], right=False)
    assert "Score: 1 of 3** (2 answered)" in shown(at)
    _answer(at, f"{set_id}-1", exercises[1], right=False)              # a double click: still one try
    assert not [b for b in at.button if b.key == f"{set_id}-1_open"]
    _answer(at, f"{set_id}-2", exercises[2])
    assert "Finished: 2 of 3 right.** Look again at question 2 (" in shown(at)


def test_damaged_links_say_what_to_do():
    at = open_page(PAGE, kinds="params,<script>", count="3")
    assert "URL value kinds=" in shown(at) and not at.exception
    at = open_page(PAGE, kinds="params", count="99")
    assert "URL value count=99 was ignored" in shown(at)


def test_teacher_page_makes_a_link_and_worksheets():
    at = open_page(TEACHER)
    code = [c.value for c in at.code]
    assert code and code[0].endswith("/exercises?kinds=output_size%2Ctf_same%2Cconv_cell%2Cpooling%2Cparams"
                                      "&count=5&level=1&seed=1")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0].startswith("Worksheet with answer key (HTML") and labels[1].endswith("(Markdown)")
    at.multiselect(key="tc_kinds").set_value(["receptive_field", "grad_w"]).run()
    at.number_input(key="tc_count").set_value(4).run()
    at.radio(key="tc_level").set_value(3).run()
    at.checkbox(key="tc_projector").check().run()
    assert at.code[0].value.endswith("kinds=receptive_field%2Cgrad_w&count=4&level=3&seed=1&projector=1")
    assert [e.label for e in at.expander][:4] == ["1. Receptive field", "2. One gradient of the weights",
                                                  "3. Receptive field", "4. One gradient of the weights"]
    at.multiselect(key="tc_kinds").set_value([]).run()
    assert "choose at least one kind of exercise" in shown(at) and not at.exception


def test_the_beyond_2d_kinds_on_the_page():
    """Issue 16: 3D output size, grouped, separable, causal stack and 2D→3D cost, answered right and wrong."""
    for kind in ("output_size_3d", "grouped", "separable", "causal_stack", "cost_3d"):
        at = open_page(PAGE, kind=kind, level="3", seed="2")
        ex = make_exercise(kind, 2, 3)
        key = f"practice-{kind}-3-2"
        assert ex.question.split("\n")[0][:60] in shown(at)
        _answer(at, key, ex, right=False)
        assert "Not quite" in shown(at)
        _answer(at, key, ex)
        assert "Right!" in shown(at) and not at.exception
