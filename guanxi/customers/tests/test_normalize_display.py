from guanxi.customers.normalize import display_phone


def test_mainland_mobiles_are_shown_in_groups_of_3_4_4():
    assert display_phone("+8617025337546") == "+86 170 2533 7546"


def test_other_numbers_use_the_international_format():
    assert display_phone("+862161234567").startswith("+86 21 ")
    assert display_phone("+14155550123") == "+1 415-555-0123"


def test_values_that_are_not_e164_are_left_alone():
    assert display_phone("mobile-3fa2") == "mobile-3fa2"
    assert display_phone("") == ""
