using System.Numerics;

namespace TreasuryManager.Keeper.Execution;

/// <summary>
/// How the <see cref="TransactionExecutor"/> prices, replaces and confirms transactions. Fees in
/// wei per gas. <see cref="Validate"/> names the first bad field and how to fix it.
/// </summary>
public sealed record ExecutorOptions
{
    /// <summary>The largest maxFeePerGas ever signed, urgent or not (at most <see cref="MaxFeePerGasCapLimit"/>).</summary>
    public required BigInteger MaxFeePerGasCap { get; init; }

    /// <summary>10,000 gwei: no cap above it is accepted. The highest base fees Ethereum has seen are a few thousand gwei;
    /// a larger cap is a unit slip (wei or ether typed as gwei) that would let one urgent rebalance of ~80,000 gas spend
    /// 0.8 ETH or more, and it also bounds the tip, which is paid in full.</summary>
    public static readonly BigInteger MaxFeePerGasCapLimit = MaxFeePerGasCapLimitGwei * (BigInteger)1_000_000_000;

    /// <summary><see cref="MaxFeePerGasCapLimit"/> in gwei, for the settings and the messages.</summary>
    public const int MaxFeePerGasCapLimitGwei = 10_000;

    /// <summary>A non-urgent intent waits (is Deferred) while the next block's base fee is above this.</summary>
    public required BigInteger BaseFeeCeiling { get; init; }

    /// <summary>The priority fee (tip) of a first attempt.</summary>
    public BigInteger PriorityFeePerGas { get; init; } = 1_000_000_000;

    /// <summary>The chain the node must be on; null accepts the node's chain.</summary>
    public long? ChainId { get; init; }

    /// <summary>An attempt not mined this many blocks after its broadcast is replaced with bumped fees.</summary>
    public int BlocksBeforeReplacement { get; init; } = 3;

    /// <summary>Both fees of a replacement are at least the old ones times this, per mille (1125 = +12.5%, the least nodes accept).</summary>
    public int ReplacementBumpPerMille { get; init; } = 1125;

    /// <summary>At most this many replacements per intent.</summary>
    public int MaxReplacements { get; init; } = 10;

    /// <summary>Blocks on top of the receipt's block (1 = mined) before the outcome is final.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>After this many blocks since the first broadcast without a final receipt, the executor returns Unconfirmed (the journal keeps the intent in flight).</summary>
    public int MaxBlocksToWait { get; init; } = 50;

    /// <summary>Wall-clock bound of one execution's wait, for nodes that stop producing blocks.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the receipt, the block number and the nonce are polled (one batch).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and the fix.</summary>
    public ExecutorOptions Validate()
    {
        foreach (var first in Problems())
            throw new ArgumentOutOfRangeException(first.Field, first.Value, $"ExecutorOptions.{first.Field} = {first.Value} {first.Rule}.");
        return this;
    }

    /// <summary>One invalid field: its name, its value and the rule it breaks ("must be …").</summary>
    public readonly record struct Problem(string Field, object? Value, string Rule);

    /// <summary>
    /// Every invalid field, in declaration order: the one home of these rules (the keeper's Gas settings are checked by
    /// building their ExecutorOptions and naming these problems by the settings' paths).
    /// </summary>
    public IEnumerable<Problem> Problems()
    {
        if (MaxFeePerGasCap.Sign <= 0 || MaxFeePerGasCap > MaxFeePerGasCapLimit)
            yield return new(nameof(MaxFeePerGasCap), MaxFeePerGasCap, $"must be positive and at most {MaxFeePerGasCapLimitGwei} gwei (wei per gas), e.g. 100 gwei = 100000000000");
        if (BaseFeeCeiling.Sign <= 0)
            yield return new(nameof(BaseFeeCeiling), BaseFeeCeiling, "must be positive (wei per gas)");
        else if (MaxFeePerGasCap.Sign > 0 && BaseFeeCeiling > MaxFeePerGasCap) // against a bad cap only the cap's own problem is said
            yield return new(nameof(BaseFeeCeiling), BaseFeeCeiling, $"must not exceed {nameof(MaxFeePerGasCap)} ({MaxFeePerGasCap}); lower the ceiling or raise the cap");
        if (PriorityFeePerGas.Sign < 0 || (MaxFeePerGasCap.Sign > 0 && PriorityFeePerGas > MaxFeePerGasCap))
            yield return new(nameof(PriorityFeePerGas), PriorityFeePerGas, $"must be between 0 and {nameof(MaxFeePerGasCap)} ({MaxFeePerGasCap})");
        if (ChainId is <= 0)
            yield return new(nameof(ChainId), ChainId, "must be positive when set (31337 for a local node, 1 for mainnet)");
        if (BlocksBeforeReplacement < 1)
            yield return new(nameof(BlocksBeforeReplacement), BlocksBeforeReplacement, "must be at least 1");
        if (ReplacementBumpPerMille is < 1125 or > 10_000)
            yield return new(nameof(ReplacementBumpPerMille), ReplacementBumpPerMille, "must be between 1125 (+12.5%, the least a node accepts for a replacement) and 10000");
        if (MaxReplacements < 0)
            yield return new(nameof(MaxReplacements), MaxReplacements, "cannot be negative");
        if (Confirmations is < 1 or > 1_000)
            yield return new(nameof(Confirmations), Confirmations, "must be between 1 (final once mined) and 1000");
        if (MaxBlocksToWait < BlocksBeforeReplacement)
            yield return new(nameof(MaxBlocksToWait), MaxBlocksToWait, $"must be at least {nameof(BlocksBeforeReplacement)} ({BlocksBeforeReplacement}), or no replacement could ever happen");
        if (MaxWait <= TimeSpan.Zero)
            yield return new(nameof(MaxWait), MaxWait, "must be positive");
        if (PollInterval <= TimeSpan.Zero || PollInterval > MaxWait)
            yield return new(nameof(PollInterval), PollInterval, $"must be positive and at most {nameof(MaxWait)} ({MaxWait})");
    }
}
