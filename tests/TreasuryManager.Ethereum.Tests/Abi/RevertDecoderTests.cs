using System.Numerics;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class RevertDecoderTests
{
    [Fact]
    public void Decodes_error_string()
    {
        // revert("Not enough Ether provided.") as returned by a node.
        var data = Hex.Decode("0x08c379a0"
            + "0000000000000000000000000000000000000000000000000000000000000020"
            + "000000000000000000000000000000000000000000000000000000000000001a"
            + "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000");
        var r = RevertDecoder.Decode(data);
        Assert.Equal(RevertKind.ErrorString, r.Kind);
        Assert.Equal("reverted: \"Not enough Ether provided.\"", r.Message);
        Assert.Equal("Not enough Ether provided.", r.Reason);
        Assert.Equal("Error", r.ErrorName);
        Assert.Same(data, r.RawData);
        Assert.Equal("Not enough Ether provided.", r.Arguments["message"]);
    }

    [Fact]
    public void Error_string_keeps_unicode_and_escapes_quotes()
    {
        var r = RevertDecoder.Decode(AbiError.ErrorString.Encode("caf\u00e9 \"x\""));
        Assert.Equal("reverted: \"caf\u00e9 \\\"x\\\"\"", r.Message);
    }

    [Theory]
    [InlineData(0x00, "panic 0x00 (generic compiler panic)")]
    [InlineData(0x01, "panic 0x01 (assertion failed)")]
    [InlineData(0x11, "panic 0x11 (arithmetic overflow or underflow)")]
    [InlineData(0x12, "panic 0x12 (division or modulo by zero)")]
    [InlineData(0x21, "panic 0x21 (invalid enum value)")]
    [InlineData(0x22, "panic 0x22 (invalid storage byte array encoding)")]
    [InlineData(0x31, "panic 0x31 (pop on an empty array)")]
    [InlineData(0x32, "panic 0x32 (array index out of bounds)")]
    [InlineData(0x41, "panic 0x41 (out of memory (too much memory allocated))")]
    [InlineData(0x51, "panic 0x51 (call to an uninitialized internal function)")]
    [InlineData(0x99, "panic 0x99 (unknown panic code)")]
    public void Decodes_panics(int code, string message)
    {
        var data = Hex.Decode("0x4e487b71" + code.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));
        var r = RevertDecoder.Decode(data);
        Assert.Equal(RevertKind.Panic, r.Kind);
        Assert.Equal(message, r.Message);
        Assert.Equal(new BigInteger(code), r.PanicCode);
        Assert.Equal("Panic", r.ErrorName);
    }

    [Fact]
    public void Decodes_custom_errors_with_the_abi()
    {
        var abi = ContractAbi.Parse(ContractAbiTests.VaultAbi);
        var data = abi.GetError("InsufficientBalance").Encode(100, 250);
        var r = RevertDecoder.Decode(data, abi);
        Assert.Equal(RevertKind.Custom, r.Kind);
        Assert.Equal("InsufficientBalance(available=100, required=250)", r.Message);
        Assert.Equal("InsufficientBalance", r.ErrorName);
        Assert.Equal(new BigInteger(250), r.Arguments["required"]);
        Assert.Same(abi.GetError("InsufficientBalance"), r.Error);

        var unauthorized = RevertDecoder.Decode(abi.GetError("Unauthorized").Encode(), abi);
        Assert.Equal("Unauthorized()", unauthorized.Message);

        // Without the ABI the same data is unknown.
        var unknown = RevertDecoder.Decode(data);
        Assert.Equal(RevertKind.Unknown, unknown.Kind);
        Assert.StartsWith("unknown revert data 0x", unknown.Message, StringComparison.Ordinal);

        // Several ABIs are searched in turn.
        Assert.Equal(RevertKind.Custom, RevertDecoder.Decode(data, [ContractAbi.Parse("[]"), abi]).Kind);
    }

    [Fact]
    public void Empty_data_is_a_reasonless_revert()
    {
        var r = RevertDecoder.Decode([]);
        Assert.Equal(RevertKind.Empty, r.Kind);
        Assert.Equal("reverted without a reason", r.Message);
        Assert.Null(r.ErrorName);
        Assert.Empty(r.Arguments);
    }

    [Theory]
    [InlineData("0x01")]
    [InlineData("0xdeadbeef")]
    [InlineData("0x08c379a0")]
    [InlineData("0x08c379a000000000000000000000000000000000000000000000000000000000000000ff")]
    [InlineData("0x4e487b71")]
    [InlineData("0x4e487b7100")]
    public void Garbage_is_unknown_and_never_throws(string hex)
    {
        var data = Hex.Decode(hex);
        var r = RevertDecoder.Decode(data, ContractAbi.Parse(ContractAbiTests.VaultAbi));
        Assert.Equal(RevertKind.Unknown, r.Kind);
        Assert.Equal($"unknown revert data {hex}", r.Message);
        Assert.Equal(data, r.RawData);
    }
}
