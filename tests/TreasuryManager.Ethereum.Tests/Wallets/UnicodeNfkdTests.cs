using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

public class UnicodeNfkdTests
{
    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("\u00e9", "e\u0301")]                    // é → e + combining acute
    [InlineData("\ufb01", "fi")]                         // ﬁ ligature (compatibility)
    [InlineData("\u00bd", "1\u20442")]                   // ½
    [InlineData("\uac00", "\u1100\u1161")]               // Hangul LV syllable
    [InlineData("\uac01", "\u1100\u1161\u11a8")]         // Hangul LVT syllable
    [InlineData("a\u0301\u0323", "a\u0323\u0301")]       // canonical reordering by combining class
    [InlineData("\u1e69", "s\u0323\u0307")]              // ṩ
    [InlineData("Moo \u00e9\U0001F680", "Moo e\u0301\U0001F680")] // astral characters pass through
    [InlineData("\u3000", " ")]                          // ideographic space
    public void Decomposes_like_unicode_nfkd(string input, string expected) =>
        Assert.Equal(expected, UnicodeNfkd.Normalize(input));
}
