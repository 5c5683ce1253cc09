using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>A Solidity custom error from ABI JSON (<c>error InsufficientBalance(uint256 available, uint256 required)</c>).</summary>
public sealed class AbiError
{
    private readonly byte[] _selector;
    private readonly AbiType[] _types;

    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        Name = name;
        Inputs = inputs.ToArray();
        Signature = AbiParameter.Signature(name, Inputs);
        _selector = Keccak256.Hash(Signature)[..4];
        _types = Inputs.Select(p => p.Type).ToArray();
    }

    /// <summary>Parses one ABI JSON item of type "error".</summary>
    public static AbiError FromJson(JsonElement item)
    {
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        if (name.Length == 0) throw new EthereumFormatException("An ABI error item has no \"name\".");
        return new AbiError(name, AbiParameter.ListFromJson(item, "inputs"));
    }

    /// <summary>Parses a human-readable fragment: <c>error InsufficientBalance(uint256 available, uint256 required)</c>.</summary>
    public static AbiError Parse(string fragment) =>
        HumanReadableAbi.ParseFragment(fragment) as AbiError ?? throw new EthereumFormatException($"ABI fragment '{fragment}' is not an error.");

    /// <summary>The built-in <c>Error(string)</c> of <c>require(cond, "reason")</c> and <c>revert("reason")</c>.</summary>
    public static AbiError ErrorString { get; } = new("Error", [new AbiParameter("message", AbiType.String)]);

    /// <summary>The built-in <c>Panic(uint256)</c> of failed asserts, overflow, division by zero, ….</summary>
    public static AbiError Panic { get; } = new("Panic", [new AbiParameter("code", AbiType.UInt256)]);

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>The canonical signature, e.g. <c>InsufficientBalance(uint256,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector that starts the revert data. A copy.</summary>
    public byte[] Selector => (byte[])_selector.Clone();

    public string SelectorHex => Hex.Encode(_selector);

    internal ReadOnlySpan<byte> SelectorSpan => _selector;

    /// <summary>Whether the revert data starts with this error's selector.</summary>
    public bool Matches(ReadOnlySpan<byte> revertData) => revertData.Length >= 4 && revertData[..4].SequenceEqual(_selector);

    /// <summary>Decodes revert data (selector checked) into the error's arguments.</summary>
    public AbiValues Decode(byte[] revertData)
    {
        ArgumentNullException.ThrowIfNull(revertData);
        if (!Matches(revertData))
            throw new EthereumFormatException($"Revert data {Hex.Shorten(Hex.Encode(revertData))} does not start with the selector {SelectorHex} of {Signature}.");
        return new AbiValues(Inputs, AbiDecoder.Decode(_types, revertData.AsSpan(4), $"revert data of {Signature}"));
    }

    /// <summary>Revert data for this error: selector followed by the encoded arguments (for tests and mocks).</summary>
    public byte[] Encode(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != Inputs.Count)
            throw new ArgumentException($"{Signature} takes {Inputs.Count} argument(s), but {args.Length} were given.");
        var encoded = AbiEncoder.Encode(_types, args, Inputs.Select(p => (string?)p.Name).ToArray(), $"{Name} argument");
        return [.. _selector, .. encoded];
    }

    public override string ToString() => $"error {Name}({string.Join(", ", Inputs)})";
}
