/** Layer diagrams of hypervisor designs: which layer holds the scheduler, memory manager and drivers. */
import { text, type Text } from "./model";

export type PartKind = "scheduler" | "memory" | "drivers" | "other";

export interface Part {
  kind: PartKind;
  label: Text;
}

export interface Block {
  label: Text;
  parts: Part[];
  /** Drawn highlighted: "this is the hypervisor". */
  hypervisor?: boolean;
}

export interface Diagram {
  id: string;
  label: Text;
  example: Text;
  /** Bottom (hardware) first; a layer with several blocks shows them side by side. */
  layers: Block[][];
}

const scheduler: Part = { kind: "scheduler", label: text("CPU scheduler", "планировщик CPU") };
const memory: Part = { kind: "memory", label: text("memory manager", "менеджер памяти") };
const drivers: Part = { kind: "drivers", label: text("device drivers", "драйверы устройств") };
const other = (en: string, ru: string): Part => ({ kind: "other", label: text(en, ru) });

const hardware: Block[] = [
  { label: text("Hardware: CPU, RAM, disks, NICs", "Оборудование: CPU, ОЗУ, диски, сетевые карты"), parts: [] },
];
const guests = (en = "Guest OSes", ru = "Гостевые ОС"): Block[] => [{ label: text(en, ru), parts: [] }];

export const TYPE_DIAGRAMS: Diagram[] = [
  {
    id: "standalone",
    label: text("Type 1: standalone", "Тип 1: автономный"),
    example: text("VMware vSphere (ESXi)", "VMware vSphere (ESXi)"),
    layers: [
      hardware,
      [{ label: text("Hypervisor", "Гипервизор"), parts: [scheduler, memory, drivers], hypervisor: true }],
      guests(),
    ],
  },
  {
    id: "hosted",
    label: text("Type 2: on a host OS", "Тип 2: на базовой ОС"),
    example: text("VMware Workstation, VirtualBox", "VMware Workstation, VirtualBox"),
    layers: [
      hardware,
      [{ label: text("Host OS", "Хостовая ОС"), parts: [scheduler, memory, drivers] }],
      [
        {
          label: text("Hypervisor (an application)", "Гипервизор (приложение)"),
          parts: [other("virtual devices", "виртуальные устройства")],
          hypervisor: true,
        },
      ],
      guests(),
    ],
  },
  {
    id: "hybrid",
    label: text("Hybrid", "Гибридный"),
    example: text("Xen (dom0), Hyper-V (parent partition)", "Xen (dom0), Hyper-V (родительский раздел)"),
    layers: [
      hardware,
      [{ label: text("Thin hypervisor", "Тонкий гипервизор"), parts: [scheduler, memory], hypervisor: true }],
      [
        { label: text("Service OS (dom0)", "Сервисная ОС (dom0)"), parts: [drivers] },
        {
          label: text("Guest OSes", "Гостевые ОС"),
          parts: [other("I/O via the service OS", "ввод-вывод через сервисную ОС")],
        },
      ],
    ],
  },
  {
    id: "hyperlab",
    label: text("Hyperlab in this tab", "Hyperlab в этой вкладке"),
    example: text("a type-2 hypervisor inside a browser", "гипервизор типа 2 внутри браузера"),
    layers: [
      hardware,
      [{ label: text("Your OS", "Ваша ОС"), parts: [scheduler, memory, drivers] }],
      [
        {
          label: text("Browser", "Браузер"),
          parts: [other("a Worker per guest", "Worker на гостя"), other("WebAssembly", "WebAssembly")],
        },
      ],
      [
        {
          label: text("Hyperlab (@hyperlab/core)", "Hyperlab (@hyperlab/core)"),
          parts: [
            { kind: "scheduler", label: text("share scheduler", "планировщик долей") },
            { kind: "memory", label: text("memory budget", "бюджет памяти") },
            { kind: "drivers", label: text("v86 devices", "устройства v86") },
          ],
          hypervisor: true,
        },
      ],
      guests("Linux guests (32 MiB each)", "Гости Linux (по 32 МиБ)"),
    ],
  },
];

export const VENDOR_DIAGRAMS: Diagram[] = [
  {
    id: "monolithic",
    label: text("VMware vSphere: monolithic", "VMware vSphere: монолитный"),
    example: text("drivers inside the hypervisor", "драйверы внутри гипервизора"),
    layers: [
      hardware,
      [
        {
          label: text("Hypervisor", "Гипервизор"),
          parts: [
            scheduler,
            drivers,
            other("distributed FS", "распределённая ФС"),
            other("network and storage stacks", "сетевой стек и стек хранения"),
          ],
          hypervisor: true,
        },
      ],
      [
        { label: text("Management", "Управление"), parts: [] },
        { label: text("Guest VMs", "Гостевые ВМ"), parts: [] },
      ],
    ],
  },
  {
    id: "microkernel",
    label: text("Hyper-V: microkernel", "Hyper-V: микроядерный"),
    example: text("drivers in the parent partition", "драйверы в родительском разделе"),
    layers: [
      hardware,
      [{ label: text("Microsoft Hypervisor", "Microsoft Hypervisor"), parts: [scheduler, memory], hypervisor: true }],
      [
        {
          label: text("Parent partition (Windows Server)", "Родительский раздел (Windows Server)"),
          parts: [
            drivers,
            other("live migration", "живая миграция"),
            other("Replica", "Replica"),
            other("SMB, NTFS", "SMB, NTFS"),
          ],
        },
        { label: text("Child partitions", "Дочерние разделы"), parts: [] },
      ],
    ],
  },
];
