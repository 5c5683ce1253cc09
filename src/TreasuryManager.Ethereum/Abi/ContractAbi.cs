using System.Text.Json;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// A contract's ABI (the <c>abi</c> array of a Hardhat/Foundry artifact): constructor, functions (with overloads),
/// events and custom errors, with lookups by name, signature, selector and topic.
/// </summary>
public sealed class ContractAbi
{
    private readonly Dictionary<string, IReadOnlyList<AbiFunction>> _functionsByName;
    private readonly Dictionary<string, AbiFunction> _functionsBySelector;
    private readonly Dictionary<string, AbiEvent[]> _eventsByTopic;
    private readonly Dictionary<string, AbiError> _errorsBySelector;

    public ContractAbi(AbiConstructor? constructor, IEnumerable<AbiFunction> functions, IEnumerable<AbiEvent> events, IEnumerable<AbiError> errors,
        bool hasFallback = false, bool hasReceive = false)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(errors);
        Constructor = constructor ?? AbiConstructor.Default;
        Functions = functions.ToArray();
        Events = events.ToArray();
        Errors = errors.ToArray();
        HasFallback = hasFallback;
        HasReceive = hasReceive;
        _functionsByName = Functions.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<AbiFunction>)g.ToArray(), StringComparer.Ordinal);
        _functionsBySelector = new(StringComparer.Ordinal);
        foreach (var f in Functions)
            if (!_functionsBySelector.TryAdd(f.SelectorHex, f) && _functionsBySelector[f.SelectorHex].Signature != f.Signature)
                throw new EthereumFormatException($"Functions {f.Signature} and {_functionsBySelector[f.SelectorHex].Signature} share the selector {f.SelectorHex}.");
        _eventsByTopic = Events.Where(e => !e.Anonymous).GroupBy(e => e.Topic0Hex, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _errorsBySelector = new(StringComparer.Ordinal);
        foreach (var e in Errors) _errorsBySelector.TryAdd(e.SelectorHex, e);
    }

    /// <summary>
    /// Parses ABI JSON: either the ABI array itself or an artifact object with an <c>abi</c> property.
    /// Malformed items raise <see cref="EthereumFormatException"/> naming the item.
    /// </summary>
    public static ContractAbi Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new EthereumFormatException($"The contract ABI is not valid JSON: {e.Message}", e); }
        using (doc) return Parse(doc.RootElement);
    }

    /// <summary>Parses an ABI array, or an artifact object with an <c>abi</c> property.</summary>
    public static ContractAbi Parse(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("abi", out var abi)) json = abi;
        if (json.ValueKind != JsonValueKind.Array)
            throw new EthereumFormatException($"A contract ABI is a JSON array (or an artifact with an \"abi\" array), not {json.ValueKind}.");
        AbiConstructor? constructor = null;
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        bool fallback = false, receive = false;
        var index = 0;
        foreach (var item in json.EnumerateArray())
        {
            try
            {
                if (item.ValueKind != JsonValueKind.Object) throw new EthereumFormatException("an ABI item must be an object.");
                var kind = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "function";
                switch (kind)
                {
                    case "function": functions.Add(AbiFunction.FromJson(item)); break;
                    case "event": events.Add(AbiEvent.FromJson(item)); break;
                    case "error": errors.Add(AbiError.FromJson(item)); break;
                    case "constructor": constructor = new AbiConstructor(AbiParameter.ListFromJson(item, "inputs"), ReadMutability(item)); break;
                    case "fallback": fallback = true; break;
                    case "receive": receive = true; break;
                    default: throw new EthereumFormatException($"unknown ABI item type '{kind}'.");
                }
            }
            catch (EthereumFormatException e)
            {
                var name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? $" '{n.GetString()}'" : "";
                throw new EthereumFormatException($"ABI item {index}{name}: {e.Message}", e);
            }
            index++;
        }
        return new ContractAbi(constructor, functions, events, errors, fallback, receive);
    }

    /// <summary>
    /// Builds an ABI from human-readable fragments (as ethers accepts), e.g.
    /// <c>"function balanceOf(address owner) view returns (uint256)"</c>, <c>"event Transfer(address indexed from, address indexed to, uint256 value)"</c>,
    /// <c>"error Unauthorized()"</c>, <c>"constructor(string name)"</c>, <c>"receive() payable"</c>.
    /// </summary>
    public static ContractAbi FromFragments(params IEnumerable<string> fragments)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        AbiConstructor? constructor = null;
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        bool fallback = false, receive = false;
        foreach (var fragment in fragments)
        {
            switch (HumanReadableAbi.ParseFragment(fragment))
            {
                case AbiFunction f: functions.Add(f); break;
                case AbiEvent e: events.Add(e); break;
                case AbiError e: errors.Add(e); break;
                case AbiConstructor c: constructor = c; break;
                case "fallback": fallback = true; break;
                case "receive": receive = true; break;
            }
        }
        return new ContractAbi(constructor, functions, events, errors, fallback, receive);
    }

    internal static string ReadMutability(JsonElement item)
    {
        if (item.TryGetProperty("stateMutability", out var m) && m.ValueKind == JsonValueKind.String) return m.GetString()!;
        if (item.TryGetProperty("constant", out var c) && c.ValueKind == JsonValueKind.True) return "view";
        if (item.TryGetProperty("payable", out var p) && p.ValueKind == JsonValueKind.True) return "payable";
        return "nonpayable";
    }

    /// <summary>The constructor; <see cref="AbiConstructor.Default"/> (no inputs) when the ABI declares none.</summary>
    public AbiConstructor Constructor { get; }
    public IReadOnlyList<AbiFunction> Functions { get; }
    public IReadOnlyList<AbiEvent> Events { get; }
    public IReadOnlyList<AbiError> Errors { get; }
    public bool HasFallback { get; }
    public bool HasReceive { get; }

    /// <summary>Functions grouped by name (overloads together).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<AbiFunction>> FunctionsByName => _functionsByName;

    /// <summary>All overloads of the named function (empty if none).</summary>
    public IReadOnlyList<AbiFunction> GetFunctions(string name) =>
        _functionsByName.TryGetValue(name, out var list) ? list : [];

    /// <summary>
    /// The function with this name (which must not be overloaded) or this exact signature (<c>transfer(address,uint256)</c>).
    /// Throws <see cref="KeyNotFoundException"/> listing the candidates when missing or ambiguous.
    /// </summary>
    public AbiFunction GetFunction(string nameOrSignature)
    {
        ArgumentNullException.ThrowIfNull(nameOrSignature);
        if (nameOrSignature.Contains('(', StringComparison.Ordinal))
        {
            var signature = NormalizeSignature(nameOrSignature);
            return Functions.FirstOrDefault(f => f.Signature == signature)
                ?? throw new KeyNotFoundException($"The contract has no function {signature}; it has: {string.Join(", ", Functions.Select(f => f.Signature))}.");
        }
        if (!_functionsByName.TryGetValue(nameOrSignature, out var list))
            throw new KeyNotFoundException($"The contract has no function '{nameOrSignature}'; it has: {string.Join(", ", _functionsByName.Keys.Order(StringComparer.Ordinal))}.");
        if (list.Count > 1)
            throw new KeyNotFoundException($"Function '{nameOrSignature}' is overloaded; choose one by signature: {string.Join(", ", list.Select(f => f.Signature))}.");
        return list[0];
    }

    public bool TryGetFunction(string nameOrSignature, out AbiFunction? function)
    {
        try { function = GetFunction(nameOrSignature); return true; }
        catch (Exception e) when (e is KeyNotFoundException or EthereumFormatException) { function = null; return false; }
    }

    /// <summary>The function whose selector starts <paramref name="selectorOrCallData"/>, or null.</summary>
    public AbiFunction? FindFunction(ReadOnlySpan<byte> selectorOrCallData) =>
        selectorOrCallData.Length >= 4 && _functionsBySelector.TryGetValue(Hex.Encode(selectorOrCallData[..4]), out var f) ? f : null;

    /// <summary>The event with this name (not overloaded) or exact signature; throws <see cref="KeyNotFoundException"/>.</summary>
    public AbiEvent GetEvent(string nameOrSignature)
    {
        ArgumentNullException.ThrowIfNull(nameOrSignature);
        if (nameOrSignature.Contains('(', StringComparison.Ordinal))
        {
            var signature = NormalizeSignature(nameOrSignature);
            return Events.FirstOrDefault(e => e.Signature == signature)
                ?? throw new KeyNotFoundException($"The contract has no event {signature}; it has: {string.Join(", ", Events.Select(e => e.Signature))}.");
        }
        var list = Events.Where(e => e.Name == nameOrSignature).ToArray();
        return list.Length switch
        {
            0 => throw new KeyNotFoundException($"The contract has no event '{nameOrSignature}'; it has: {string.Join(", ", Events.Select(e => e.Name).Distinct())}."),
            1 => list[0],
            _ => throw new KeyNotFoundException($"Event '{nameOrSignature}' is overloaded; choose one by signature: {string.Join(", ", list.Select(e => e.Signature))}."),
        };
    }

    /// <summary>The non-anonymous event(s) whose topic0 is <paramref name="topic0"/> (usually one).</summary>
    public IReadOnlyList<AbiEvent> FindEvents(ReadOnlySpan<byte> topic0) =>
        topic0.Length == 32 && _eventsByTopic.TryGetValue(Hex.Encode(topic0), out var list) ? list : [];

    /// <summary>
    /// Decodes a log of one of this contract's (non-anonymous) events, found by topic0. Returns false when no event
    /// matches or the log does not decode (e.g. another contract's event with the same signature but other indexing).
    /// </summary>
    public bool TryDecodeLog(IReadOnlyList<byte[]> topics, byte[] data, out DecodedEvent? decoded)
    {
        ArgumentNullException.ThrowIfNull(topics);
        decoded = null;
        if (topics.Count == 0 || topics[0] is null) return false;
        foreach (var e in FindEvents(topics[0]))
        {
            try
            {
                decoded = e.DecodeLog(topics, data);
                return true;
            }
            catch (EthereumFormatException)
            {
                // Try the next candidate.
            }
        }
        return false;
    }

    /// <summary>Decodes a log by topic0; throws <see cref="EthereumFormatException"/> if no event matches.</summary>
    public DecodedEvent DecodeLog(IReadOnlyList<byte[]> topics, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Count == 0 || topics[0] is null)
            throw new EthereumFormatException("The log has no topics (an anonymous event?); decode it with the AbiEvent directly.");
        var candidates = FindEvents(topics[0]);
        if (candidates.Count == 0)
            throw new EthereumFormatException($"No event of this contract has topic0 {Hex.Encode(topics[0])}.");
        if (candidates.Count == 1) return candidates[0].DecodeLog(topics, data);
        return TryDecodeLog(topics, data, out var decoded) ? decoded! : candidates[0].DecodeLog(topics, data);
    }

    /// <summary>The custom error with this name or exact signature; throws <see cref="KeyNotFoundException"/>.</summary>
    public AbiError GetError(string nameOrSignature)
    {
        ArgumentNullException.ThrowIfNull(nameOrSignature);
        var signature = nameOrSignature.Contains('(', StringComparison.Ordinal) ? NormalizeSignature(nameOrSignature) : null;
        var list = Errors.Where(e => signature is null ? e.Name == nameOrSignature : e.Signature == signature).ToArray();
        return list.Length switch
        {
            0 => throw new KeyNotFoundException($"The contract has no error '{nameOrSignature}'; it has: {string.Join(", ", Errors.Select(e => e.Signature))}."),
            1 => list[0],
            _ => throw new KeyNotFoundException($"Error '{nameOrSignature}' is overloaded; choose one by signature: {string.Join(", ", list.Select(e => e.Signature))}."),
        };
    }

    /// <summary>The custom error whose selector starts <paramref name="selectorOrRevertData"/>, or null.</summary>
    public AbiError? FindError(ReadOnlySpan<byte> selectorOrRevertData) =>
        selectorOrRevertData.Length >= 4 && _errorsBySelector.TryGetValue(Hex.Encode(selectorOrRevertData[..4]), out var e) ? e : null;

    /// <summary>Turns <c>f(uint, (int,address)[])</c> into the canonical <c>f(uint256,(int256,address)[])</c>.</summary>
    private static string NormalizeSignature(string signature)
    {
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        var name = signature[..open].Trim();
        var args = signature[open..].Replace(" ", "", StringComparison.Ordinal);
        var type = AbiType.Parse(args);
        if (type.Kind != AbiTypeKind.Tuple)
            throw new EthereumFormatException($"'{signature}' is not a signature like name(type1,type2).");
        return name + type.CanonicalName;
    }
}
