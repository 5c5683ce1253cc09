using System.Globalization;
using System.Numerics;
using System.Text;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>Human-readable text for values in the ABI value model (for messages and logs).</summary>
public static class AbiValueFormatter
{
    /// <summary>
    /// Integers in decimal, addresses EIP-55, bools <c>true</c>/<c>false</c>, bytes as 0x-hex, strings quoted
    /// with JSON escapes, arrays <c>[a, b]</c>, tuples <c>(a, b)</c>.
    /// </summary>
    public static string Format(AbiType type, object? value)
    {
        ArgumentNullException.ThrowIfNull(type);
        var sb = new StringBuilder();
        Append(sb, type, value);
        return sb.ToString();
    }

    private static readonly System.Text.Json.JsonSerializerOptions QuoteOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A string in double quotes with JSON escapes (non-ASCII kept as is).</summary>
    internal static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text, QuoteOptions);

    private static void Append(StringBuilder sb, AbiType type, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                return;
            case string s:
                sb.Append(Quote(s));
                return;
            case byte[] b:
                sb.Append(Hex.Encode(b));
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case BigInteger i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                return;
            case Address a:
                sb.Append(a.ToString());
                return;
            case object?[] items:
                {
                    var tuple = type.Kind == AbiTypeKind.Tuple;
                    sb.Append(tuple ? '(' : '[');
                    for (var i = 0; i < items.Length; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        var t = tuple ? (i < type.Components.Count ? type.Components[i] : type) : type.Element ?? type;
                        if (tuple && i < type.ComponentNames.Count && type.ComponentNames[i] is { } name) sb.Append(name).Append('=');
                        Append(sb, t, items[i]);
                    }
                    sb.Append(tuple ? ')' : ']');
                    return;
                }
            default:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
        }
    }
}
