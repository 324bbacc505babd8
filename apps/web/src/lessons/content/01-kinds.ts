import { checkClassification } from "../classification";
import { fail, pass, text, type Lesson } from "../model";

export const kinds: Lesson = {
  id: "kinds",
  number: 1,
  title: text("Kinds of virtualization systems", "Виды систем управления виртуализацией"),
  summary: text(
    "Sort the products on the market by what they virtualize, for whom, how they are delivered, at which level and under which licence.",
    "Разложим продукты рынка по тому, что они виртуализируют, для кого, как поставляются, на каком уровне работают и под какой лицензией.",
  ),
  sections: [
    {
      heading: text("Many products, several axes", "Много продуктов, несколько осей"),
      body: [
        text(
          "There is a wide choice of tools that run and orchestrate virtual computers. No single label fits them, so we describe each one along several independent axes: the kind of virtualization, the scale it is built for, how it is distributed, its level of abstraction and its licence.",
          "Инструментов, которые запускают виртуальные компьютеры и управляют ими, очень много. Одним ярлыком их не описать, поэтому каждый продукт рассматривают по нескольким независимым признакам: вид виртуализации, масштаб, способ поставки, уровень абстракции и лицензия.",
        ),
        text(
          "By kind: whole virtual machines with their own disks and network cards (VirtualBox, Hyper-V, KVM, Xen, VMware, vSphere, AWS EC2, Azure VMs); a reproducible virtual environment (Vagrant); containers that share the host kernel (Docker, LXD, rkt); and a whole virtual data centre, i.e. a private cloud (Apache Mesos, OpenStack).",
          "По виду: полноценные виртуальные машины со своими дисками и сетевыми картами (VirtualBox, Hyper-V, KVM, Xen, VMware, vSphere, AWS EC2, Azure VMs); воспроизводимое виртуальное окружение (Vagrant); контейнеры, которые делят ядро хоста (Docker, LXD, rkt); целый виртуальный ЦОД, то есть приватное облако (Apache Mesos, OpenStack).",
        ),
      ],
    },
    {
      heading: text("Scale, distribution, level, licence", "Масштаб, поставка, уровень, лицензия"),
      body: [
        text(
          "Scale: Vagrant, VirtualBox and VMware Workstation serve one person on one workstation. vSphere, KVM and Xen are meant for production and test infrastructure. Hyper-V began as a server role of Windows and the core of System Center, and since Windows 10 it also runs desktop tools such as Docker Desktop's Kubernetes. Docker itself is used both for local development and in production.",
          "Масштаб: Vagrant, VirtualBox и VMware Workstation обслуживают одного пользователя на его рабочей станции. vSphere, KVM и Xen предназначены для продуктивной и тестовой инфраструктуры. Hyper-V появился как серверная роль Windows и основа System Center, а начиная с Windows 10 на нём работают и настольные инструменты, например Kubernetes из Docker Desktop. Сам Docker применяют и для локальной разработки, и в продуктиве.",
        ),
        text(
          "Distribution: most products are software you install (Hyper-V even ships as part of the OS); AWS EC2 and Azure Virtual Machines are services of a public cloud. Level: Hyper-V, Xen, KVM, vSphere and VirtualBox are hypervisors; the rest are application systems built on top of hypervisors — early Vagrant, for example, needed VirtualBox underneath. Licence: VirtualBox, KVM, Xen and Docker are open source; vSphere, Hyper-V and the cloud services are commercial.",
          "Поставка: большинство продуктов — устанавливаемое ПО (Hyper-V и вовсе входит в ОС); AWS EC2 и Azure Virtual Machines — сервисы публичного облака. Уровень: Hyper-V, Xen, KVM, vSphere и VirtualBox — гипервизоры, остальные — прикладные системы поверх гипервизоров; ранний Vagrant, к примеру, работал только вместе с VirtualBox. Лицензия: VirtualBox, KVM, Xen и Docker — open source; vSphere, Hyper-V и облачные сервисы — коммерческие.",
        ),
      ],
    },
  ],
  exercise: "classification",
  steps: [
    {
      id: "classify",
      title: text("Classify every product in the table", "Классифицируйте все продукты в таблице"),
      how: text(
        "Choose a value in each cell of the table above, then press Check. Cells marked — are not asked.",
        "Выберите значение в каждой ячейке таблицы выше и нажмите «Проверить». Ячейки с прочерком не оцениваются.",
      ),
      check: async ({ answers }) => {
        const result = checkClassification((answers.classification ?? {}) as Record<string, string>);
        if (result.wrong.length === 0 && result.missing.length === 0)
          return pass(`All ${result.total} cells are right.`, `Все ${result.total} ячеек заполнены верно.`);
        return fail(
          `${result.correct} of ${result.total} right; ${result.wrong.length} wrong, ${result.missing.length} not answered. Wrong cells are marked red.`,
          `Верно ${result.correct} из ${result.total}; ошибок: ${result.wrong.length}, без ответа: ${result.missing.length}. Ошибочные ячейки отмечены красным.`,
        );
      },
    },
  ],
};
