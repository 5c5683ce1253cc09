using System.Numerics;

namespace TreasuryManager.Ethereum.Contracts;

/// <summary>
/// How an <see cref="AccountSender"/> prices EIP-1559 transactions:
/// maxFee = min(cap, 2·baseFee + tip), maxPriorityFee = min(tip, maxFee).
/// </summary>
public sealed record FeeSettings
{
    /// <summary>The priority fee (tip) in wei; null asks the node (eth_maxPriorityFeePerGas).</summary>
    public BigInteger? PriorityFeePerGas { get; init; }

    /// <summary>The largest maxFeePerGas ever signed, in wei; null means no cap.</summary>
    public BigInteger? MaxFeePerGasCap { get; init; }

    /// <summary>The gas estimate is multiplied by this (per mille) to leave head room: 1200 = +20%.</summary>
    public int GasLimitMarginPerMille { get; init; } = 1200;

    public static FeeSettings Default { get; } = new();

    /// <summary>maxFee = min(cap, 2·baseFee + tip); the tip never exceeds maxFee.</summary>
    public (BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas) Price(BigInteger baseFee, BigInteger tip)
    {
        var maxFee = 2 * baseFee + tip;
        if (MaxFeePerGasCap is { } cap && maxFee > cap) maxFee = cap;
        return (maxFee, BigInteger.Min(tip, maxFee));
    }
}
