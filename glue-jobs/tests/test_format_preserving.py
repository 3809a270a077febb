"""FF3-1 format-preserving tokens: NIST ACVP vectors (56-bit tweaks), through the Arrow UDF too."""
from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from sentinel_etl.tokenization.format_preserving import domain_lengths, ff3_column, ff3_transform

DIGITS = "0123456789"
LOWER = "abcdefghijklmnopqrstuvwxyz"
BASE64 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/"

# NIST ACVP FF3-1 vectors (AES-128/192/256, radix 10/26/64, 56-bit tweaks), as used by the ff3
# package's own test suite (ff3/ff3_test.py, testVectors_ACVP_AES_FF3_1).
ACVP_FF3_1 = [
    (DIGITS, "2DE79D232DF5585D68CE47882AE256D6", "CBD09280979564", "3992520240", "8901801106"),
    (
        DIGITS,
        "01C63017111438F7FC8E24EB16C71AB5",
        "C4E822DCD09F27",
        "60761757463116869318437658042297305934914824457484538562",
        "35637144092473838892796702739628394376915177448290847293",
    ),
    (LOWER, "718385E6542534604419E83CE387A437", "B6F35084FA90E1", "wfmwlrorcd", "ywowehycyd"),
    (
        LOWER,
        "DB602DFF22ED7E84C8D8C865A941A238",
        "EBEFD63BCC2083",
        "kkuomenbzqvggfbteqdyanwpmhzdmoicekiihkrm",
        "belcfahcwwytwrckieymthabgjjfkxtxauipmjja",
    ),
    (BASE64, "AEE87D0D485B3AFD12BD1E0B9D03D50D", "5F9140601D224B", "ixvuuIHr0e", "GR90R1q838"),
    (BASE64, "7B6C88324732F7F4AD435DA9AD77F917", "3F42102C0BAB39", "21q1kbbIVSrAFtdFWzdMeIDpRqpo", "cvQ/4aGUV4wRnyO3CHmgEKW5hk8H"),
    (DIGITS, "F62EDB777A671075D47563F3A1E9AC797AA706A2D8E02FC8", "493B8451BF6716", "4406616808", "1807744762"),
    (
        DIGITS,
        "0951B475D1A327C52756F2624AF224C80E9BE85F09B2D44F",
        "D679E2EA3054E1",
        "99980459818278359406199791971849884432821321826358606310",
        "84359031857952748660483617398396641079558152339419110919",
    ),
    (LOWER, "49CCB8F62D941E5684599ECA0300937B5C766D053E109777", "0BFCF75CDC2FC1", "jaxlrchjjx", "kjdbfqyahd"),
    (
        LOWER,
        "03D253674A9309FF07ED0E71B24CBFE769025E09FCE544D7",
        "B33176B1DA0F6C",
        "tafzrybuvhiqvcyztuxfnwfprmqlwpayphxbawpl",
        "loaemzbgqkywkdhmncrijzildzleoqibtthdiliv",
    ),
    (BASE64, "1C24B74B7C1B9969314CB53E92F98EFD620D5520017FB076", "0380341C425A6F", "6np8r2t8zo", "HgpCXoA1Rt"),
    (
        BASE64,
        "C0ABADFC071379824A070E8C3FD40DD9BFD7A3C99A0D5FE3",
        "6C2926C705DDAF",
        "GKB6sa9g56BSJ09iJ4dsaxRdsMvo",
        "gC0tTSdDPxM79QOWi+z+SNL9C4V+",
    ),
    (DIGITS, "1FAA03EFF55A06F8FAB3F1DC57127D493E2F8F5C365540467A3A055BDBE6481D", "4D67130C030445", "3679409436", "1735794859"),
    (
        DIGITS,
        "9CE16E125BD422A011408EB083355E7089E70A4CD2F59E141D0B94A74BCC5967",
        "4684635BD2C821",
        "85783290820098255530464619643265070052870796363685134012",
        "75104723514036464144839960480545848044718729603261409917",
    ),
    (LOWER, "6187F8BDE99F7DAF9E3EE8A8654308E7E51D31FA88AFFAEB5592041C033B736B", "5820812B3D5DD1", "mkblaoiyfd", "ifpyiihvvq"),
    (
        LOWER,
        "F6807FB9688937E4D4956006C8F0CB2394148A5F4B14666CF353F4941428FFD7",
        "30C87B99890096",
        "wrammvhudopmaazlsxevzwzwpezzmghwfnmkitnk",
        "nzftnfkliuctlmtdfrxfhwgevrbcbgljurnytxkj",
    ),
    (BASE64, "9C2B69F7DDF181C54398E345BE04C2F6B00B9DD1679200E1E04C4FF961AE0F09", "103C238B4B1E44", "H2/c6FblSA", "EOg4H1bE+8"),
    (
        BASE64,
        "C58BCBD08B90006CEC7E82B2D987D79F6A21111DEF0CEBB273CBAEB2D6CD4044",
        "7036604882667B",
        "bz5TcS1krnD8IOLdrQeKzXkLAa6h",
        "Z6x3/9LPW8SZunRezRM8J68Q4J03",
    ),
]


@pytest.mark.parametrize("alphabet,key,tweak,plaintext,ciphertext", ACVP_FF3_1)
def test_ff3_1_matches_nist_acvp_vectors(alphabet, key, tweak, plaintext, ciphertext):
    assert ff3_transform([plaintext], key, tweak, alphabet, 0, decrypt=False) == [ciphertext]
    assert ff3_transform([ciphertext], key, tweak, alphabet, 0, decrypt=True) == [plaintext]


@pytest.mark.parametrize("alphabet", [DIGITS, LOWER, BASE64])
def test_arrow_udf_reproduces_the_vectors_of_each_alphabet(spark, alphabet):
    vectors = [v for v in ACVP_FF3_1 if v[0] == alphabet]
    frame = spark.createDataFrame([(i, v[1], v[2], v[3]) for i, v in enumerate(vectors)], "i int, k string, t string, p string")
    rows = frame.select("i", ff3_column(F.col("p"), F.col("k"), F.col("t"), alphabet, 0).alias("c")).collect()
    assert [r["c"] for r in sorted(rows, key=lambda r: r["i"])] == [v[4] for v in vectors]


def test_prefix_is_kept_and_length_and_alphabet_preserved():
    key, tweak = "00" * 32, "11" * 7
    accounts = ["4000123412341234", "5500000000000004", "3700000000000002"]
    tokens = ff3_transform(accounts, key, tweak, DIGITS, 4, decrypt=False)
    for account, token in zip(accounts, tokens, strict=False):
        assert token[:4] == account[:4] and len(token) == len(account) and token.isdigit() and token != account
    assert ff3_transform(tokens, key, tweak, DIGITS, 4, decrypt=True) == accounts


def test_null_and_empty_pass_through_and_out_of_domain_values_raise():
    assert ff3_transform([None, ""], "00" * 16, "00" * 7, DIGITS, 4, decrypt=False) == [None, ""]
    with pytest.raises(ValueError, match="needs 6-56 characters"):
        ff3_transform(["1234567"], "00" * 16, "00" * 7, DIGITS, 4, decrypt=False)
    with pytest.raises(ValueError, match="alphabet"):
        ff3_transform(["4000abcd12345"], "00" * 16, "00" * 7, DIGITS, 4, decrypt=False)


def test_domain_lengths_follow_ff3_1_minimum_domain_of_one_million():
    assert domain_lengths(DIGITS) == (6, 56)
    assert domain_lengths(LOWER) == (5, 40)
