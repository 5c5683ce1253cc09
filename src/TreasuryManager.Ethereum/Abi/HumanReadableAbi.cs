namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// Parses Solidity-like ("human-readable", as in ethers) ABI fragments:
/// <c>function transfer(address to, uint256 amount) returns (bool)</c>,
/// <c>event Transfer(address indexed from, address indexed to, uint256 value)</c>,
/// <c>error InsufficientBalance(uint256 available, uint256 required)</c>, <c>constructor(address token)</c>,
/// <c>function position(uint64 id) view returns ((address owner, int128 amount)[] legs)</c>.
/// A bare <c>name(types)</c> is a function. <c>tuple(…)</c>, <c>memory</c>/<c>calldata</c>, visibility and
/// <c>virtual</c>/<c>override</c> are accepted and ignored where meaningless.
/// </summary>
internal sealed class HumanReadableAbi
{
    private static readonly HashSet<string> Ignored = ["memory", "calldata", "storage", "external", "public", "internal", "virtual", "override"];
    private readonly string _text;
    private readonly List<string> _tokens;
    private int _pos;

    private HumanReadableAbi(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    public static object ParseFragment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new HumanReadableAbi(text.Trim().TrimEnd(';'));
        try
        {
            return parser.Fragment();
        }
        catch (EthereumFormatException e)
        {
            throw new EthereumFormatException($"ABI fragment '{text}' is invalid: {e.Message}", e);
        }
    }

    private static List<string> Tokenize(string s)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or '[' or ']' or ',') { tokens.Add(c.ToString()); i++; continue; }
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '$')
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '$')) i++;
                tokens.Add(s[start..i]);
                continue;
            }
            throw new EthereumFormatException($"unexpected character '{c}' at position {i}.");
        }
        return tokens;
    }

    private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;

    private string Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw new EthereumFormatException("it ends too early.");

    private void Expect(string token)
    {
        var t = Next();
        if (t != token) throw new EthereumFormatException($"expected '{token}' but found '{t}'.");
    }

    private static bool IsIdentifier(string? t) => t is not null && t.Length > 0 && (char.IsAsciiLetter(t[0]) || t[0] is '_' or '$');

    private object Fragment()
    {
        var kind = Peek switch
        {
            "function" or "event" or "error" or "constructor" or "fallback" or "receive" => Next(),
            _ => "function",
        };
        var name = "";
        if (kind is "function" or "event" or "error")
        {
            name = Next();
            if (!IsIdentifier(name)) throw new EthereumFormatException($"'{name}' is not a name.");
        }
        var inputs = Peek == "(" ? Parameters() : throw new EthereumFormatException("the parameter list '(…)' is missing.");
        var mutability = "nonpayable";
        var anonymous = false;
        AbiParameter[] outputs = [];
        while (Peek is { } t)
        {
            Next();
            switch (t)
            {
                case "view" or "pure" or "payable" or "nonpayable": mutability = t; break;
                case "constant": mutability = "view"; break;
                case "anonymous" when kind == "event": anonymous = true; break;
                case "returns" when kind == "function": outputs = Parameters(); break;
                case var _ when Ignored.Contains(t): break;
                default: throw new EthereumFormatException($"unexpected '{t}'.");
            }
        }
        return kind switch
        {
            "function" => new AbiFunction(name, inputs, outputs, mutability),
            "event" => new AbiEvent(name, inputs, anonymous),
            "error" => new AbiError(name, inputs),
            "constructor" => new AbiConstructor(inputs, mutability),
            _ => kind, // "fallback" / "receive"
        };
    }

    private AbiParameter[] Parameters()
    {
        Expect("(");
        var list = new List<AbiParameter>();
        if (Peek == ")") { Next(); return [.. list]; }
        while (true)
        {
            list.Add(Parameter());
            var t = Next();
            if (t == ")") return [.. list];
            if (t != ",") throw new EthereumFormatException($"expected ',' or ')' but found '{t}'.");
        }
    }

    private AbiParameter Parameter()
    {
        AbiType type;
        if (Peek == "tuple") Next();
        if (Peek == "(")
        {
            var components = Parameters();
            type = AbiType.Tuple(components.Select(c => c.Type).ToArray(), components.Select(c => (string?)c.Name).ToArray());
        }
        else
        {
            var name = Next();
            try { type = AbiType.Parse(name); }
            catch (EthereumFormatException) { throw new EthereumFormatException($"'{name}' is not a Solidity ABI type."); }
            if (type.Kind == AbiTypeKind.Address && Peek == "payable") Next();
        }
        while (Peek == "[")
        {
            Next();
            if (Peek == "]") { Next(); type = AbiType.ArrayOf(type); continue; }
            var digits = Next();
            Expect("]");
            type = AbiType.Parse("uint8[" + digits + "]").Kind == AbiTypeKind.FixedArray
                ? AbiType.FixedArrayOf(type, int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture))
                : throw new EthereumFormatException($"bad array length '{digits}'.");
        }
        var indexed = false;
        while (Peek is "indexed" || (Peek is { } m && Ignored.Contains(m)))
        {
            if (Next() == "indexed") indexed = true;
        }
        var paramName = IsIdentifier(Peek) ? Next() : "";
        return new AbiParameter(paramName, type, indexed);
    }

    public override string ToString() => _text;
}
