using System.Numerics;
using Nethereum.Contracts;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Testing;
using Pool = TreasuryManager.Contracts.Nethereum.ManagedPool.ContractDefinition;
using Vault = TreasuryManager.Contracts.Nethereum.TreasuryVault.ContractDefinition;

namespace TreasuryManager.Contracts.Nethereum.Tests;

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<LocalNodeFixture>
{
    public const string Name = "nethereum local node";
}

/// <summary>
/// The README's "Driving the treasury from Nethereum", as a test: a treasury deployed by our TreasuryDeployer, then only
/// Nethereum's Web3, the generated typed classes and the owner's Hardhat test key — the owner deposits, sets a policy
/// value, reads the pool's state (checked against our own binding's reads), and a setter given a bad value reverts into
/// the generated error class with its fields. Keep the README section in step with this test.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class DrivingTheTreasuryFromNethereumTests(LocalNodeFixture node) : NodeTest(node)
{
    /// <summary>Hardhat's and anvil's well-known account #0 (the deployer's owner): a public test key.</summary>
    private const string OwnerTestKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    [Fact]
    public async Task The_owner_deposits_sets_a_policy_reads_the_pool_and_decodes_a_policy_revert_with_Nethereum()
    {
        var d = await TreasuryDeployer.DeployAsync(Eth, Node.RepositoryRoot, DevAccounts.Key);
        var vault = d.Vault.Address.ToString();
        var pool = d.Pool.Address.ToString();

        var web3 = new Web3(new Account(OwnerTestKey, TreasuryDeployer.LocalChainId), Node.Node.Endpoint.ToString());
        Assert.Equal(d.Owner.Address.ToString(), web3.TransactionManager.Account.Address, StringComparer.OrdinalIgnoreCase);

        // read the pool's state: price, range, reserves — as our own binding reads them
        var state = (await web3.Eth.GetContractQueryHandler<Pool.GetStateFunction>()
            .QueryDeserializingToObjectAsync<Pool.GetStateOutputDTO>(new Pool.GetStateFunction(), pool)).St;
        var ours = await d.Pool.GetStateAsync();
        Assert.Equal(ours.SqrtPriceX96, state.SqrtPriceX96);
        Assert.Equal(ours.SqrtPriceLowX96, state.SqrtPriceLowX96);
        Assert.Equal(ours.SqrtPriceHighX96, state.SqrtPriceHighX96);
        Assert.Equal(ours.Reserve0, state.Reserve0);
        Assert.Equal(ours.Reserve1, state.Reserve1);
        Assert.Equal(ours.FeePips, state.FeePips);
        Assert.True(state.SqrtPriceLowX96 < state.SqrtPriceX96 && state.SqrtPriceX96 < state.SqrtPriceHighX96);

        // the owner deposits 1% more of each reserve (approvals first, through Nethereum's ERC-20 service)
        var amount0 = state.Reserve0 / 100;
        var amount1 = state.Reserve1 / 100;
        await web3.Eth.ERC20.GetContractService(d.Base.Address.ToString()).ApproveRequestAndWaitForReceiptAsync(vault, amount0);
        await web3.Eth.ERC20.GetContractService(d.Quote.Address.ToString()).ApproveRequestAndWaitForReceiptAsync(vault, amount1);
        var deposit = await web3.Eth.GetContractTransactionHandler<Vault.DepositFunction>()
            .SendRequestAndWaitForReceiptAsync(vault, new Vault.DepositFunction { Pool = pool, Amount0 = amount0, Amount1 = amount1 });
        Assert.Equal(BigInteger.One, deposit.Status.Value);
        var afterDeposit = await d.Pool.GetStateAsync();
        Assert.True(afterDeposit.Liquidity > ours.Liquidity, "the deposit added liquidity");
        Assert.InRange(afterDeposit.Reserve0 - ours.Reserve0, amount0 * 99 / 100, amount0);
        Assert.InRange(afterDeposit.Reserve1 - ours.Reserve1, amount1 * 99 / 100, amount1);
        var deposited = Assert.Single(deposit.DecodeAllEvents<Vault.DepositedEventDTO>()).Event; // the generated event class
        Assert.Equal(pool, deposited.Pool, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(afterDeposit.Liquidity, deposited.Liquidity); // the pool's liquidity after the deposit
        Assert.Equal(afterDeposit.Reserve0 - ours.Reserve0, deposited.Amount0);

        // the owner sets a policy value; our binding reads it back, and so does Nethereum
        var heartbeat = (await d.Vault.PolicyOfAsync(d.Pool.Address)).Params.Heartbeat / 2;
        var set = await web3.Eth.GetContractTransactionHandler<Vault.SetHeartbeatFunction>()
            .SendRequestAndWaitForReceiptAsync(vault, new Vault.SetHeartbeatFunction { Pool = pool, Heartbeat = heartbeat });
        Assert.Equal(BigInteger.One, set.Status.Value);
        Assert.Equal(heartbeat, (await d.Vault.PolicyOfAsync(d.Pool.Address)).Params.Heartbeat);
        var policy = await web3.Eth.GetContractQueryHandler<Vault.PolicyOfFunction>()
            .QueryDeserializingToObjectAsync<Vault.PolicyOfOutputDTO>(new Vault.PolicyOfFunction { Pool = pool }, vault);
        Assert.Equal(heartbeat, policy.V.Params.Heartbeat);

        // a heartbeat below the vault's minimum reverts with PolicyOutOfBounds(param, value, min, max), decoded by its class
        var minimum = await web3.Eth.GetContractQueryHandler<Vault.MIN_HEARTBEATFunction>().QueryAsync<BigInteger>(vault, new Vault.MIN_HEARTBEATFunction());
        var maximum = await web3.Eth.GetContractQueryHandler<Vault.MAX_HEARTBEATFunction>().QueryAsync<BigInteger>(vault, new Vault.MAX_HEARTBEATFunction());
        var bad = minimum - 1;
        var revert = await Assert.ThrowsAsync<SmartContractCustomErrorRevertException>(() => web3.Eth.GetContractTransactionHandler<Vault.SetHeartbeatFunction>()
            .SendRequestAndWaitForReceiptAsync(vault, new Vault.SetHeartbeatFunction { Pool = pool, Heartbeat = bad }));
        Assert.True(revert.IsCustomErrorFor<Vault.PolicyOutOfBoundsError>());
        var error = revert.DecodeError<Vault.PolicyOutOfBoundsError>();
        Assert.Equal(1, (int)error.Param); // PolicyParam.Heartbeat
        Assert.Equal(bad, error.Value);
        Assert.Equal(minimum, error.Min);
        Assert.Equal(maximum, error.Max);
        Assert.Equal(heartbeat, (await d.Vault.PolicyOfAsync(d.Pool.Address)).Params.Heartbeat); // nothing changed
    }
}
