import { fromYaml } from "seatplan/pulumi";
export const licences = fromYaml("licences.yaml");
