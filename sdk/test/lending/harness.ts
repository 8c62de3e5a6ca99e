/** A test chain with one lending market per test file: a model share, a settable oracle, the deployed AdaptiveIrm. */
import { parseUnits, type Address } from "viem";
import { createMarket } from "../../src/actions/lending/createMarket.js";
import { mockLendingOracleAbi, mockStablecoinAbi, modelShareAbi } from "../../src/generated/abis.js";
import { mockLendingOracleBytecode } from "../../src/generated/bytecode.js";
import { lendingAddresses, type MarketParams } from "../../src/lending/addresses.js";
import { ORACLE_PRICE_SCALE } from "../../src/lending/math.js";
import { rpc } from "../../src/node/anvil.js";
import type { TestChain } from "../../src/testing/testChain.js";
import { setupShare, startAmmChain, type AmmChain } from "../amm/harness.js";

/** Account roles: 0 deployed the suite and owns the LendingMarket; 1 owns the model. */
export const OWNER = 0;
export const SHARE_OWNER = 1;
export const LENDER = 2;
export const BORROWER = 3;
export const LIQUIDATOR = 4;
export const PAYER = 5;

/** 0.77 (WAD), one of the LLTVs the deployment enables. */
export const LLTV_77 = parseUnits("0.77", 18);
/** $2 per share: 2e6 stablecoin units per 1e18 share units, 1e36-scaled. */
export const PRICE_TWO = (2n * 10n ** 6n * ORACLE_PRICE_SCALE) / 10n ** 18n;

/** The AMM test chain (the deployment has the AMM and the lending market). */
export type LendingChain = AmmChain;

export type TestMarket = { marketParams: MarketParams; share: Address; stablecoin: Address; oracle: Address };

export async function startLendingChain(): Promise<LendingChain> {
  const chain = await startAmmChain();
  lendingAddresses(chain.reader); // throws when the prepared deployment has no lending market
  return chain;
}

/** Deploys a MockLendingOracle answering `price` (as the owner: anyone may). */
export async function deployMockOracle(chain: TestChain, price: bigint): Promise<Address> {
  const wallet = chain.client(OWNER).walletClient!;
  const hash = await wallet.deployContract({ abi: mockLendingOracleAbi, bytecode: mockLendingOracleBytecode, args: [price] });
  const receipt = await chain.reader.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("MockLendingOracle deployment failed");
  return receipt.contractAddress;
}

/** Sets the mock oracle's `price` and `borrowPrice`. */
export async function setOraclePrice(chain: TestChain, oracle: Address, price: bigint, borrowPrice = price): Promise<void> {
  const wallet = chain.client(OWNER).walletClient!;
  const hash = await wallet.writeContract({ address: oracle, abi: mockLendingOracleAbi, functionName: "setPrices", args: [price, borrowPrice] });
  await chain.reader.publicClient.waitForTransactionReceipt({ hash });
}

/**
 * Registers a model (account 1), hands its shares and the stablecoin to the lender, the borrower and the liquidator,
 * and creates a market lending the stablecoin against the share at LLTV `lltv`, priced by a mock oracle at $2.
 */
export async function setupMarket(chain: LendingChain, name: string, lltv = LLTV_77, price = PRICE_TWO): Promise<TestMarket> {
  const { share, stablecoin } = await setupShare(chain, name, SHARE_OWNER, [LENDER, BORROWER, LIQUIDATOR], {
    shares: parseUnits("1000000", 18),
    stablecoin: parseUnits("10000000", 6),
  });
  const oracle = await deployMockOracle(chain, price);
  const { adaptiveIrm } = lendingAddresses(chain.reader);
  const marketParams: MarketParams = { loanToken: stablecoin, collateralToken: share, oracle, irm: adaptiveIrm, lltv };
  await createMarket(chain.client(OWNER), { marketParams });
  return { marketParams, share, stablecoin, oracle };
}

/** Streams `amount` of stablecoin revenue to the share's holders (paid by account 5). */
export async function depositRevenue(chain: TestChain, share: Address, amount: bigint): Promise<void> {
  const payer = chain.client(PAYER).walletClient!;
  const stablecoin = chain.deployment.contracts.Stablecoin;
  for (const call of [
    () => payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [payer.account.address, amount] }),
    () => payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [share, amount] }),
    () => payer.writeContract({ address: share, abi: modelShareAbi, functionName: "depositRevenue", args: [amount] }),
  ]) {
    await chain.reader.publicClient.waitForTransactionReceipt({ hash: await call() });
  }
}

/** Takes an anvil snapshot; the returned function reverts to it. */
export async function snapshot(chain: TestChain): Promise<() => Promise<void>> {
  const id = await rpc<string>(chain.rpcUrl, "evm_snapshot");
  return async () => {
    await rpc(chain.rpcUrl, "evm_revert", [id]);
  };
}
