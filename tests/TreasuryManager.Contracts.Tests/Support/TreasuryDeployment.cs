using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.DevNode;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.Support;

/// <summary>The parameters of a test deployment (see <see cref="TreasuryDeploymentSettings"/> for the defaults).</summary>
public sealed record DeploymentSettings : TreasuryDeploymentSettings;

/// <summary>
/// A whole TreasuryManager deployment on the test node, made by <see cref="TreasuryDeployer"/> (shared
/// with the gas report) with the public test keys: 0 owner, 1 keeper, 2 guardian, 3 trader, 4 reporter, 5 stranger.
/// </summary>
public static class TreasuryDeployment
{
    public static Task<TreasuryDeployer> DeployAsync(LocalNodeFixture node, TreasuryDeploymentSettings? settings = null) =>
        TreasuryDeployer.DeployAsync(node.Eth, node.RepositoryRoot, DevAccounts.Key, settings ?? new DeploymentSettings(), LocalNode.DefaultChainId);

    public static Task<AccountSender> SenderAsync(LocalNodeFixture node, int account) =>
        AccountSender.ConnectAsync(node.Eth, DevAccounts.Key(account), LocalNode.DefaultChainId);
}
