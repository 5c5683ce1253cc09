using System.Globalization;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// A BIP-32 derivation path such as m/44'/60'/0'/0/0. "'" or "h" marks a hardened index
/// (index + 2³¹). A path starting with "m" is absolute; without it, it is relative to a node.
/// </summary>
public sealed class HdPath
{
    private HdPath(bool isAbsolute, IReadOnlyList<uint> indices)
    {
        IsAbsolute = isAbsolute;
        Indices = indices;
    }

    /// <summary>Whether the path starts at the master ("m/…") rather than at the node it is applied to.</summary>
    public bool IsAbsolute { get; }

    /// <summary>The child indices in order; hardened ones include <see cref="HardenedOffset"/>.</summary>
    public IReadOnlyList<uint> Indices { get; }

    public const uint HardenedOffset = 0x8000_0000;

    /// <summary>m/44'/60'/0'/0 — the BIP-44 Ethereum account chain; account i is its child i.</summary>
    public const string EthereumAccountChain = "m/44'/60'/0'/0";

    public static HdPath Parse(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new HdPathException("The derivation path is empty; give a path like m/44'/60'/0'/0/0.");
        var segments = path.Split('/');
        var absolute = segments[0] == "m";
        if (!absolute && segments[0].Equals("m", StringComparison.OrdinalIgnoreCase))
            throw new HdPathException($"Derivation path '{path}' must start with a lower-case 'm' (as in m/44'/60'/0'/0/0).");
        var indices = new List<uint>();
        for (var i = absolute ? 1 : 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var hardened = segment.EndsWith('\'') || segment.EndsWith('h') || segment.EndsWith('H');
            var digits = hardened ? segment[..^1] : segment;
            if (digits.Length == 0)
                throw new HdPathException($"Derivation path '{path}' has an empty component at position {i}; components are numbers, optionally followed by ' for hardened, separated by single slashes (e.g. m/44'/60'/0'/0/0).");
            if (!digits.All(char.IsAsciiDigit))
                throw new HdPathException($"Derivation path '{path}' has an invalid component '{segment}'; each component after 'm' is a decimal index, optionally followed by ' (or h) for hardened.");
            if (!uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= HardenedOffset)
                throw new HdPathException($"Derivation path '{path}' has component '{segment}' out of range; an index is below 2147483648 (2³¹), with ' to harden it.");
            indices.Add(hardened ? index | HardenedOffset : index);
        }
        if (indices.Count > 255) throw new HdPathException($"Derivation path '{(path.Length <= 60 ? path : path[..40] + "…")}' is deeper than BIP-32 allows (255 levels).");
        return new HdPath(absolute, indices.AsReadOnly());
    }

    /// <summary>The BIP-44 Ethereum path of account <paramref name="index"/>: m/44'/60'/0'/0/index.</summary>
    public static string EthereumAccount(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "An account index is zero or more.");
        return $"{EthereumAccountChain}/{index.ToString(CultureInfo.InvariantCulture)}";
    }

    public static string Format(IEnumerable<uint> indices, bool absolute = true)
    {
        var parts = indices.Select(i => i >= HardenedOffset
            ? (i - HardenedOffset).ToString(CultureInfo.InvariantCulture) + "'"
            : i.ToString(CultureInfo.InvariantCulture));
        return absolute ? string.Join('/', parts.Prepend("m")) : string.Join('/', parts);
    }

    public override string ToString() => Format(Indices, IsAbsolute);
}
