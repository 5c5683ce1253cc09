// End-to-end send rate of ethers.js v6: N signed type-2 transfers sent to a local node and mined.
// Usage: node bench/e2e/ethers-send.js <rpc-url> <count> [wallet|raw]
//   wallet: wallet.sendTransaction (ethers' normal path, which also asks the node for the block number)
//   raw:    wallet.signTransaction + eth_sendRawTransaction (the same work as the C# side)
// Prints one JSON line: {"client":"ethers-<mode>","count":N,"seconds":S,"tx_per_second":R}
const { JsonRpcProvider, Wallet, HDNodeWallet, Mnemonic } = require("ethers");

async function main() {
  const [url, countText, mode = "wallet"] = process.argv.slice(2);
  const count = Number(countText);
  if (!url || !Number.isInteger(count) || count <= 0 || !["wallet", "raw"].includes(mode)) {
    console.error("usage: node bench/e2e/ethers-send.js <rpc-url> <count> [wallet|raw]");
    process.exit(2);
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  // Account 1 of the Hardhat test mnemonic (test keys only); the C# side uses account 2.
  const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
  const wallet = HDNodeWallet.fromMnemonic(mnemonic, mode === "raw" ? "m/44'/60'/0'/0/3" : "m/44'/60'/0'/0/1").connect(provider);
  const to = "0x000000000000000000000000000000000000dEaD";
  const chainId = (await provider.getNetwork()).chainId;
  let nonce = await provider.getTransactionCount(wallet.address, "pending");
  const fee = await provider.getFeeData();
  const started = process.hrtime.bigint();
  let lastHash, lastResponse;
  for (let i = 0; i < count; i++) {
    const tx = {
      type: 2, chainId, nonce: nonce++, to, value: 1n, gasLimit: 21000n,
      maxFeePerGas: fee.maxFeePerGas * 2n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    };
    if (mode === "raw") lastHash = await provider.send("eth_sendRawTransaction", [await wallet.signTransaction(tx)]);
    else lastResponse = await wallet.sendTransaction(tx);
  }
  if (mode === "raw") await provider.waitForTransaction(lastHash);
  else await lastResponse.wait();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ client: `ethers-${mode}`, count, seconds, tx_per_second: count / seconds }));
}

main().catch((e) => { console.error(e.message ?? e); process.exit(1); });
