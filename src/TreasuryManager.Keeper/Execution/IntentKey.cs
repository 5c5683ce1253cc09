using System.Globalization;
using TreasuryManager.Ethereum;

namespace TreasuryManager.Keeper.Execution;

/// <summary>What a journaled intent does.</summary>
public enum IntentKind
{
    /// <summary>vault.rebalance of one pool.</summary>
    Rebalance,
    /// <summary>vault.adjustHedge of one pool's hedge.</summary>
    Hedge,
}

/// <summary>
/// The identity of a keeper intent: at most one per kind, pool and block. Journaled with its pool as a column, so the
/// keeper asks the journal "which pools have a rebalance in flight" without parsing keys back. <see cref="ToString"/> is
/// the journal's unique key text (<c>rebalance:0x…:123</c>), stable across versions.
/// </summary>
public sealed record IntentKey(IntentKind Kind, Address Pool, long Block)
{
    /// <summary>The kind as the journal stores it ("rebalance", "hedge").</summary>
    public string KindText => KindName(Kind);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{KindText}:{Pool.ToLowerHex()}:{Block}");

    public static string KindName(IntentKind kind) => kind switch
    {
        IntentKind.Rebalance => "rebalance",
        IntentKind.Hedge => "hedge",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown intent kind"),
    };
}
