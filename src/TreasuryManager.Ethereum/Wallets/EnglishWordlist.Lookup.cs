namespace TreasuryManager.Ethereum.Wallets;

internal static partial class EnglishWordlist
{
    private static readonly Lazy<(string[] List, Dictionary<string, int> Index)> Data = new(() =>
    {
        var list = Words.Split(' ');
        if (list.Length != 2048) throw new InvalidOperationException("The embedded BIP-39 English wordlist does not have 2048 words.");
        var index = new Dictionary<string, int>(2048, StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++) index.Add(list[i], i);
        return (list, index);
    });

    public static IReadOnlyList<string> All => Data.Value.List;

    public static string Word(int index) => Data.Value.List[index];

    public static bool TryGetIndex(string word, out int index) => Data.Value.Index.TryGetValue(word, out index);
}
