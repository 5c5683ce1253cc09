using System.Globalization;
using System.Numerics;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>What kind of revert data a failed call or transaction returned.</summary>
public enum RevertKind
{
    /// <summary>No data: <c>revert()</c>, <c>require(cond)</c> without a message, out of gas, or no contract.</summary>
    Empty,
    /// <summary><c>Error(string)</c>: <c>require(cond, "reason")</c> or <c>revert("reason")</c>.</summary>
    ErrorString,
    /// <summary><c>Panic(uint256)</c>: failed assert, arithmetic overflow, division by zero, bad array index, ….</summary>
    Panic,
    /// <summary>A custom error found by selector in the given ABI(s).</summary>
    Custom,
    /// <summary>Data that matches nothing known (or does not decode).</summary>
    Unknown,
}

/// <summary>A decoded revert.</summary>
/// <param name="Kind">What the data is.</param>
/// <param name="Message">Human text: <c>reverted: "reason"</c>, <c>panic 0x12 (division or modulo by zero)</c>,
/// <c>InsufficientBalance(available=1, required=2)</c>, <c>reverted without a reason</c> or <c>unknown revert data 0x…</c>.</param>
/// <param name="ErrorName"><c>Error</c>, <c>Panic</c>, the custom error's name, or null.</param>
/// <param name="Arguments">The error's decoded arguments (the reason string, the panic code, or the custom error's arguments); empty otherwise.</param>
/// <param name="RawData">The revert data as given (do not mutate).</param>
public sealed record RevertReason(RevertKind Kind, string Message, string? ErrorName, AbiValues Arguments, byte[] RawData)
{
    /// <summary>The custom error definition when <see cref="Kind"/> is <see cref="RevertKind.Custom"/>.</summary>
    public AbiError? Error { get; init; }

    /// <summary>The reason string of an <see cref="RevertKind.ErrorString"/> revert.</summary>
    public string? Reason => Kind == RevertKind.ErrorString ? (string?)Arguments[0] : null;

    /// <summary>The panic code of a <see cref="RevertKind.Panic"/> revert.</summary>
    public BigInteger? PanicCode => Kind == RevertKind.Panic ? (BigInteger?)Arguments[0] : null;

    public override string ToString() => Message;
}

/// <summary>Decodes the revert data of a failed <c>eth_call</c>, <c>eth_estimateGas</c> or transaction.</summary>
public static class RevertDecoder
{
    /// <summary>The selector of <c>Error(string)</c>.</summary>
    public const string ErrorStringSelector = "0x08c379a0";

    /// <summary>The selector of <c>Panic(uint256)</c>.</summary>
    public const string PanicSelector = "0x4e487b71";

    /// <summary>Decodes revert data, looking custom errors up in <paramref name="abi"/> if given. Never throws on bad data.</summary>
    public static RevertReason Decode(byte[] revertData, ContractAbi? abi = null) =>
        Decode(revertData, abi is null ? [] : [abi]);

    /// <summary>Decodes revert data, looking custom errors up in each of <paramref name="abis"/> in turn (e.g. a contract and the libraries or tokens it calls).</summary>
    public static RevertReason Decode(byte[] revertData, IEnumerable<ContractAbi> abis)
    {
        ArgumentNullException.ThrowIfNull(revertData);
        ArgumentNullException.ThrowIfNull(abis);
        if (revertData.Length == 0)
            return new RevertReason(RevertKind.Empty, "reverted without a reason", null, AbiValues.Empty, revertData);

        if (AbiError.ErrorString.Matches(revertData) && TryDecode(AbiError.ErrorString, revertData, out var reason))
        {
            var text = (string)reason[0]!;
            return new RevertReason(RevertKind.ErrorString, $"reverted: {AbiValueFormatter.Quote(text)}", "Error", reason, revertData);
        }

        if (AbiError.Panic.Matches(revertData) && TryDecode(AbiError.Panic, revertData, out var panic))
        {
            var code = (BigInteger)panic[0]!;
            return new RevertReason(RevertKind.Panic, $"panic 0x{code.ToString("x2", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(2, '0')} ({DescribePanic(code)})", "Panic", panic, revertData);
        }

        foreach (var abi in abis)
        {
            var error = abi.FindError(revertData);
            if (error is not null && TryDecode(error, revertData, out var args))
                return new RevertReason(RevertKind.Custom, $"{error.Name}({args})", error.Name, args, revertData) { Error = error };
        }

        return new RevertReason(RevertKind.Unknown, $"unknown revert data {Hex.Shorten(Hex.Encode(revertData))}", null, AbiValues.Empty, revertData);
    }

    /// <summary>The meaning of a Solidity panic code.</summary>
    public static string DescribePanic(BigInteger code) => (int)BigInteger.Min(code, int.MaxValue) switch
    {
        0x00 => "generic compiler panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "invalid storage byte array encoding",
        0x31 => "pop on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory (too much memory allocated)",
        0x51 => "call to an uninitialized internal function",
        _ => "unknown panic code",
    };

    private static bool TryDecode(AbiError error, byte[] data, out AbiValues values)
    {
        try
        {
            values = error.Decode(data);
            return true;
        }
        catch (EthereumFormatException)
        {
            values = AbiValues.Empty;
            return false;
        }
    }
}
