using TreasuryManager.GasReport;

namespace TreasuryManager.Contracts.Tests.Gas;

/// <summary>
/// <see cref="GasBreakdown.Attribute"/> on a hand-built trace: a vault that reads a slot, calls a feed (which reads a
/// cold and then a warm slot), writes a slot and emits an event. Every figure below is worked out by hand from the steps.
/// </summary>
public sealed class GasBreakdownTests
{
    private const string Vault = "0x00000000000000000000000000000000000000bb";
    private const string Feed = "0x00000000000000000000000000000000000000aa";
    private static readonly byte[] Input = [0x12, 0x00, 0x00, 0x34]; // calldata 16 + 4 + 4 + 16 = 40
    private const long GasLimit = 100_000;

    /// <summary>Intrinsic 21,040 (21,000 + calldata 40): the first step starts with 78,960. The STATICCALL's gasCost (70,000)
    /// is what a node reports with the forwarded gas in it; its own cost is 2,600, the callee uses 2,203.</summary>
    private static List<TraceStep> Steps() =>
    [
        new(1, "PUSH1", 78_960, 3),
        new(1, "SLOAD", 78_957, 2_100),
        new(1, "STATICCALL", 76_857, 70_000, Feed),
        new(2, "PUSH1", 70_000, 3),
        new(2, "SLOAD", 69_997, 2_100),
        new(2, "SLOAD", 67_897, 100),
        new(2, "RETURN", 67_797, 0),
        new(1, "SSTORE", 76_857 - 2_600 - 2_203, 5_000),
        new(1, "LOG1", 76_857 - 2_600 - 2_203 - 5_000, 1_262),
        new(1, "STOP", 76_857 - 2_600 - 2_203 - 5_000 - 1_262, 0),
    ];

    private const long StepsTotal = 3 + 2_100 + 2_600 + 3 + 2_100 + 100 + 0 + 5_000 + 1_262 + 0;

    private static string? Name(string address) => address == Vault ? "Vault" : null;

    [Fact]
    public void Each_steps_own_gas_goes_to_the_contract_that_ran_it_and_the_whole_adds_up_to_gas_used()
    {
        var b = GasBreakdown.Attribute(Steps(), GasLimit, 21_040 + StepsTotal, Input, Vault, Name);

        Assert.Equal(21_040, b.Intrinsic);
        Assert.Equal(40, b.Calldata);
        Assert.Equal(0, b.Refund);
        Assert.Equal(2, b.Contracts.Count);
        var vault = b.Contracts[0];
        Assert.Equal(new ContractGas("Vault", ColdSloads: 1, WarmSloads: 0, SloadGas: 2_100, Sstores: 1, SstoreGas: 5_000, CallGas: 2_600, LogGas: 1_262, OtherGas: 3), vault);
        var feed = b.Contracts[1];
        Assert.Equal(new ContractGas(Feed, ColdSloads: 1, WarmSloads: 1, SloadGas: 2_200, Sstores: 0, SstoreGas: 0, CallGas: 0, LogGas: 0, OtherGas: 3), feed);
        Assert.Equal(b.GasUsed, b.Intrinsic + b.Contracts.Sum(c => c.Total) - b.Refund);
        Assert.Equal(2, b.ColdSloads);
    }

    [Fact]
    public void A_refund_within_a_fifth_is_reported_and_one_past_it_or_a_negative_one_is_refused()
    {
        var b = GasBreakdown.Attribute(Steps(), GasLimit, 21_040 + StepsTotal - 2_000, Input, Vault, Name);
        Assert.Equal(2_000, b.Refund);

        var over = Assert.Throws<InvalidDataException>(() => GasBreakdown.Attribute(Steps(), GasLimit, (21_040 + StepsTotal) * 4 / 5 - 1, Input, Vault, Name));
        Assert.Contains("does not add up", over.Message);
        var under = Assert.Throws<InvalidDataException>(() => GasBreakdown.Attribute(Steps(), GasLimit, 21_040 + StepsTotal + 1, Input, Vault, Name));
        Assert.Contains("refund of -1", under.Message);
    }

    [Fact]
    public void A_trace_it_cannot_read_is_refused_naming_the_step()
    {
        Assert.Throws<InvalidDataException>(() => GasBreakdown.Attribute([], GasLimit, 21_000, Input, Vault, Name));
        var noTarget = Steps();
        noTarget[2] = noTarget[2] with { CallTarget = null };
        Assert.Contains("step 2 (STATICCALL) names no target", Assert.Throws<InvalidDataException>(() => GasBreakdown.Attribute(noTarget, GasLimit, 21_040 + StepsTotal, Input, Vault, Name)).Message);
        var orphan = Steps();
        orphan.Insert(1, new TraceStep(3, "PUSH1", 78_957, 3));
        Assert.Contains("depth 3 that no call entered", Assert.Throws<InvalidDataException>(() => GasBreakdown.Attribute(orphan, GasLimit, 21_040 + StepsTotal, Input, Vault, Name)).Message);
    }

    [Theory]
    [InlineData("0x00000000000000000000000000000000000000000000000000000000000000aa", "0x00000000000000000000000000000000000000aa")]
    [InlineData("000000000000000000000000DC64A140AA3E981100A9BECA4E685F962F0CF6C9", "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9")]
    [InlineData("0xaa", "0x00000000000000000000000000000000000000aa")]
    public void A_call_target_is_the_low_twenty_bytes_of_the_stack_word(string word, string address) =>
        Assert.Equal(address, GasBreakdown.AddressOfWord(word));
}
