using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>A contract event from ABI JSON: signature, topic0 and log decoding.</summary>
public sealed class AbiEvent
{
    private readonly byte[] _topic0;
    private readonly AbiParameter[] _dataInputs;
    private readonly AbiType[] _dataTypes;

    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        Name = name;
        Inputs = inputs.ToArray();
        Anonymous = anonymous;
        Signature = AbiParameter.Signature(name, Inputs);
        _topic0 = Keccak256.Hash(Signature);
        _dataInputs = Inputs.Where(p => !p.Indexed).ToArray();
        _dataTypes = _dataInputs.Select(p => p.Type).ToArray();
        IndexedCount = Inputs.Count - _dataInputs.Length;
        if (IndexedCount > (anonymous ? 4 : 3))
            throw new EthereumFormatException($"Event {Signature} has {IndexedCount} indexed parameters; at most {(anonymous ? 4 : 3)} are possible.");
    }

    /// <summary>Parses one ABI JSON item of type "event".</summary>
    public static AbiEvent FromJson(JsonElement item)
    {
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        if (name.Length == 0) throw new EthereumFormatException("An ABI event item has no \"name\".");
        var anonymous = item.TryGetProperty("anonymous", out var a) && a.ValueKind == JsonValueKind.True;
        return new AbiEvent(name, AbiParameter.ListFromJson(item, "inputs"), anonymous);
    }

    /// <summary>Parses a human-readable fragment: <c>event Transfer(address indexed from, address indexed to, uint256 value)</c>.</summary>
    public static AbiEvent Parse(string fragment) =>
        HumanReadableAbi.ParseFragment(fragment) as AbiEvent ?? throw new EthereumFormatException($"ABI fragment '{fragment}' is not an event.");

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public bool Anonymous { get; }
    public int IndexedCount { get; }

    /// <summary>The canonical signature, e.g. <c>Transfer(address,address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>keccak256(<see cref="Signature"/>): the first topic of a non-anonymous event's logs. A copy.</summary>
    public byte[] Topic0 => (byte[])_topic0.Clone();

    /// <summary>Topic0 as 0x-prefixed hex, for eth_getLogs filters.</summary>
    public string Topic0Hex => Hex.Encode(_topic0);

    internal ReadOnlySpan<byte> Topic0Span => _topic0;

    /// <summary>
    /// Whether an indexed parameter of this type is stored as its value (<c>true</c>) or as the keccak256 of its
    /// encoding (<c>false</c>: string, bytes, arrays and tuples).
    /// </summary>
    public static bool IsTopicValue(AbiType type) =>
        type.Kind is not (AbiTypeKind.String or AbiTypeKind.Bytes or AbiTypeKind.Array or AbiTypeKind.FixedArray or AbiTypeKind.Tuple);

    /// <summary>
    /// Decodes a log. For a non-anonymous event, <paramref name="topics"/>[0] must be <see cref="Topic0"/>.
    /// Indexed parameters of value types decode to their value; indexed string, bytes, arrays and tuples decode to
    /// their 32-byte topic (the keccak256 hash), as <c>byte[]</c>.
    /// </summary>
    public DecodedEvent DecodeLog(IReadOnlyList<byte[]> topics, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(data);
        var first = 0;
        if (!Anonymous)
        {
            if (topics.Count == 0 || topics[0] is null || !topics[0].AsSpan().SequenceEqual(_topic0))
                throw new EthereumFormatException($"The log's first topic {(topics.Count > 0 && topics[0] is not null ? Hex.Encode(topics[0]) : "(none)")} is not {Signature}'s topic {Topic0Hex}.");
            first = 1;
        }
        if (topics.Count - first != IndexedCount)
            throw new EthereumFormatException($"The log has {topics.Count - first} indexed topic(s) but {Signature} has {IndexedCount} indexed parameter(s); is it another event with the same signature (e.g. ERC-20 vs ERC-721 Transfer)?");
        var dataValues = AbiDecoder.Decode(_dataTypes, data, $"data of event {Signature}");
        var values = new object?[Inputs.Count];
        var topic = first;
        var d = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed)
            {
                values[i] = dataValues[d++];
                continue;
            }
            var t = topics[topic++];
            if (t is null || t.Length != 32)
                throw new EthereumFormatException($"Topic {topic - 1} of event {Signature} is {(t is null ? "null" : $"{t.Length} bytes")}; a topic is 32 bytes.");
            values[i] = IsTopicValue(p.Type)
                ? AbiDecoder.DecodeWord(p.Type, t, $"topic {topic - 1} ('{p.Name}') of event {Signature}")
                : t.ToArray();
        }
        return new DecodedEvent(this, new AbiValues(Inputs, values));
    }

    /// <summary>
    /// Topic filter for eth_getLogs: topic0 (unless anonymous) then one entry per indexed parameter, in order;
    /// a null value is a wildcard (null entry). Strings and bytes are hashed; indexed arrays and tuples are hashed
    /// from Solidity's in-place encoding (or may be given as their 32-byte hash). Fewer values than indexed
    /// parameters leave the rest as wildcards.
    /// </summary>
    public byte[]?[] EncodeTopics(params object?[] indexedValues)
    {
        ArgumentNullException.ThrowIfNull(indexedValues);
        var indexed = Inputs.Where(p => p.Indexed).ToArray();
        if (indexedValues.Length > indexed.Length)
            throw new ArgumentException($"{Signature} has {indexed.Length} indexed parameter(s), but {indexedValues.Length} topic values were given.");
        var result = new List<byte[]?>();
        if (!Anonymous) result.Add(Topic0);
        for (var i = 0; i < indexedValues.Length; i++)
        {
            var p = indexed[i];
            var v = indexedValues[i];
            if (v is null) { result.Add(null); continue; }
            result.Add(EncodeTopic(p, v));
        }
        while (result.Count > 0 && result[^1] is null) result.RemoveAt(result.Count - 1);
        return [.. result];
    }

    private byte[] EncodeTopic(AbiParameter p, object? value)
    {
        // An indexed array or tuple may also be given as its 32-byte topic hash.
        if (p.Type.Kind is AbiTypeKind.Array or AbiTypeKind.FixedArray or AbiTypeKind.Tuple && value is byte[] { Length: 32 } hash)
            return hash.ToArray();
        var normalized = AbiValueConverter.Normalize(p.Type, value, $"{Name} topic '{p.Name}'");
        if (IsTopicValue(p.Type)) return (byte[])normalized;
        if (p.Type.Kind is AbiTypeKind.String or AbiTypeKind.Bytes) return Keccak256.Hash((byte[])normalized);
        var inPlace = new List<byte>();
        AppendInPlace(p.Type, normalized, inPlace);
        return Keccak256.Hash([.. inPlace]);
    }

    /// <summary>
    /// Solidity's in-place encoding of an indexed array or struct, which its topic hashes: elements and members
    /// concatenated, each padded to a multiple of 32 bytes (bytes and string too), with no offsets or lengths.
    /// </summary>
    private static void AppendInPlace(AbiType type, object normalized, List<byte> output)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
            case AbiTypeKind.String:
                {
                    var bytes = (byte[])normalized;
                    output.AddRange(bytes);
                    output.AddRange(new byte[(32 - bytes.Length % 32) % 32]);
                    break;
                }
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
                foreach (var item in (object[])normalized) AppendInPlace(type.Element!, item, output);
                break;
            case AbiTypeKind.Tuple:
                {
                    var items = (object[])normalized;
                    for (var i = 0; i < items.Length; i++) AppendInPlace(type.Components[i], items[i], output);
                    break;
                }
            default:
                output.AddRange((byte[])normalized);
                break;
        }
    }

    /// <summary>Encodes a log for this event (topics and data), e.g. for tests; indexed dynamic values are hashed.</summary>
    public (byte[][] Topics, byte[] Data) EncodeLog(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Inputs.Count)
            throw new ArgumentException($"{Signature} has {Inputs.Count} parameter(s), but {values.Length} values were given.");
        var topics = new List<byte[]>();
        if (!Anonymous) topics.Add(Topic0);
        var dataValues = new List<object?>();
        for (var i = 0; i < values.Length; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed) { dataValues.Add(values[i]); continue; }
            topics.Add(EncodeTopic(p, values[i]));
        }
        var data = AbiEncoder.Encode(_dataTypes, dataValues, _dataInputs.Select(p => (string?)p.Name).ToArray(), $"{Name} argument");
        return ([.. topics], data);
    }

    public override string ToString() => $"event {Name}({string.Join(", ", Inputs)}){(Anonymous ? " anonymous" : "")}";
}

/// <summary>A decoded log: the event and its arguments (by position or name).</summary>
public sealed record DecodedEvent(AbiEvent Event, AbiValues Arguments)
{
    public string Name => Event.Name;

    /// <summary>The named argument's value.</summary>
    public object? this[string name] => Arguments[name];

    /// <summary><c>Name(arg=value, …)</c>.</summary>
    public override string ToString() => $"{Name}({Arguments})";
}
