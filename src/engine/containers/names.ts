import { nodeCrypto } from '../builtins.js';

// Unnamed containers get adjective_noun names, as Docker's do; these lists are berth's own.
const ADJECTIVES = [
  'agile', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'curious', 'daring', 'deft', 'eager',
  'earnest', 'fair', 'fancy', 'fervent', 'fond', 'gentle', 'glad', 'golden', 'happy', 'hardy', 'humble', 'jolly', 'keen',
  'kind', 'lively', 'loyal', 'lucid', 'lucky', 'mellow', 'merry', 'mighty', 'modest', 'nimble', 'noble', 'patient', 'placid',
  'plucky', 'proud', 'quick', 'quiet', 'rapid', 'ready', 'serene', 'sharp', 'shiny', 'silent', 'sleek', 'snappy', 'solid',
  'spry', 'stoic', 'sturdy', 'sunny', 'swift', 'tidy', 'tender', 'upbeat', 'vivid', 'warm', 'wise', 'witty', 'zealous',
];
const NOUNS = [
  'anchor', 'barge', 'beacon', 'bollard', 'bosun', 'buoy', 'cable', 'cargo', 'channel', 'clipper', 'cove', 'crane', 'current',
  'davit', 'deck', 'dhow', 'dinghy', 'dock', 'dredger', 'estuary', 'ferry', 'fjord', 'galley', 'gangway', 'harbor', 'hawser',
  'helm', 'hull', 'inlet', 'jetty', 'keel', 'ketch', 'lagoon', 'launch', 'lighthouse', 'lock', 'marina', 'mast', 'mooring',
  'navigator', 'pier', 'pilot', 'port', 'quay', 'reef', 'rigging', 'rudder', 'sail', 'schooner', 'sextant', 'skiff', 'sloop',
  'sound', 'spar', 'starboard', 'steamer', 'tanker', 'tide', 'tug', 'wake', 'wharf', 'windlass', 'yawl',
];

export function randomName(): string {
  const { randomInt } = nodeCrypto();
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NOUNS[randomInt(NOUNS.length)]}`;
}
